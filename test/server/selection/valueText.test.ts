import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { compareCodePoints, nextDown, nextUp } from "../../../server/selection/ordering.ts";
import {
  daysFromCivil,
  isInt32Text,
  isInt64Text,
  parseDatePrefixText,
  parseDateText,
  parseFloatText,
  parseTimestampText,
} from "../../../server/selection/valueText.ts";

const dayMs = 86_400_000;
// Years 1..9999 as Date.UTC sees them (it maps 0..99 to 1900..1999, so set the year explicitly).
function utcDays(year: number, month: number, day: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return Math.floor(date.getTime() / dayMs);
}

describe("value text", () => {
  it("counts days like the platform calendar", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("0001-01-01"), max: new Date("9999-12-31"), noInvalidDate: true }),
        (d) => {
          const [y, m, dd] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
          assert.equal(daysFromCivil(y, m, dd), utcDays(y, m, dd));
        },
      ),
    );
    assert.equal(daysFromCivil(2021, 2, 29), undefined);
    assert.equal(daysFromCivil(2020, 2, 29), utcDays(2020, 2, 29));
    assert.equal(daysFromCivil(1900, 2, 29), undefined);
    assert.equal(daysFromCivil(2021, 13, 1), undefined);
  });

  it("reads timestamps to the microsecond, with or without zones", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("1000-01-01"), max: new Date("2200-12-31"), noInvalidDate: true }),
        fc.integer({ min: 0, max: 999 }),
        (d, micros) => {
          const iso = d.toISOString();
          const text = `${iso.slice(0, 23)}${String(micros).padStart(3, "0")}Z`;
          const parsed = parseTimestampText(text, { strictIso: true });
          assert.equal(parsed?.wallMicros, d.getTime() * 1000 + micros);
          assert.equal(parsed?.offsetMinutes, 0);
          assert.equal(parsed?.fractionDigits, 6);
        },
      ),
    );
    assert.equal(parseTimestampText("2021-01-01T01:00:00+01:00")?.offsetMinutes, 60);
    assert.equal(parseTimestampText("2021-01-01T01:00:00-0530")?.offsetMinutes, -330);
    assert.equal(parseTimestampText("2021-01-01 01:00:00")?.offsetMinutes, undefined);
    assert.equal(parseTimestampText("2021-01-01 01:00:00", { strictIso: true }), undefined);
    assert.equal(parseTimestampText("2021-01-01"), undefined);
    assert.equal(parseTimestampText("2021-01-01", { allowDateOnly: true })?.wallMicros, 1609459200000000);
    assert.equal(parseTimestampText("2021-01-01T00:00:00.0000001Z")?.subMicros, true);
    const far = parseTimestampText("9999-12-31T23:59:59.999999Z");
    assert.equal(far?.rounded, true);
    const error = BigInt(far?.wallMicros ?? 0) - 253402300799999999n;
    assert.ok(error <= 32n && error >= -32n);
    for (const bad of [
      "2021-01-01T24:00:00Z",
      "2021-01-01T00:60:00Z",
      "2021-02-30T00:00:00Z",
      "21-01-01T00:00Z",
    ]) {
      assert.equal(parseTimestampText(bad), undefined, bad);
    }
  });

  it("reads dates, integers and floats strictly", () => {
    assert.equal(parseDateText("1970-01-02"), 1);
    assert.equal(parseDateText("1970-1-2"), 1);
    assert.equal(parseDateText("1970-01-02 "), undefined);
    assert.equal(parseDatePrefixText(" 1970-01-02 10:00 "), 1);
    assert.equal(isInt32Text("2147483647"), true);
    assert.equal(isInt32Text("-2147483649"), false);
    assert.equal(isInt64Text("-9223372036854775808"), true);
    assert.equal(isInt64Text("1e3"), false);
    assert.equal(parseFloatText("1.5E10"), 1.5e10);
    assert.equal(parseFloatText("-.5"), -0.5);
    assert.ok(Number.isNaN(parseFloatText("NaN")));
    assert.equal(parseFloatText("-Infinity"), Number.NEGATIVE_INFINITY);
    assert.equal(parseFloatText("0x10"), undefined);
    assert.equal(parseFloatText(" 1"), undefined);
  });
});

describe("orderings", () => {
  it("orders strings like their UTF-8 bytes", () => {
    // Code points from every range that matters: ASCII, below and above the surrogates, astral.
    const codePoint = fc.oneof(
      fc.constantFrom("a", "z", "é", "\ud7ff", "\ue000", "\uffff", "😀", "\u{10000}", "\u{10ffff}"),
      fc
        .integer({ min: 0, max: 0x10ffff })
        .filter((cp) => cp < 0xd800 || cp > 0xdfff)
        .map((cp) => String.fromCodePoint(cp)),
    );
    const text = fc.string({ unit: codePoint, maxLength: 6 });
    fc.assert(
      fc.property(text, text, (a, b) => {
        assert.equal(Math.sign(compareCodePoints(a, b)), Buffer.compare(Buffer.from(a), Buffer.from(b)));
      }),
      { numRuns: 2000 },
    );
    assert.ok(compareCodePoints("\uffff", "😀") < 0);
    assert.ok(compareCodePoints("😀", "\uffff") > 0);
  });

  it("steps to the neighbouring doubles", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        fc.pre(Number.isFinite(x));
        assert.ok(nextUp(x) > x && nextDown(x) < x);
        assert.ok(nextDown(nextUp(x)) === x && nextUp(nextDown(x)) === x, "steps are inverse");
        if (Math.abs(x) < 1e300) {
          const midUp = (x + nextUp(x)) / 2;
          assert.ok(midUp === x || midUp === nextUp(x), "nothing lies between");
        }
      }),
    );
    assert.equal(nextUp(0), Number.MIN_VALUE);
    assert.equal(nextDown(Number.POSITIVE_INFINITY), Number.MAX_VALUE);
    assert.equal(nextUp(Number.POSITIVE_INFINITY), Number.POSITIVE_INFINITY);
    assert.equal(nextUp(2 ** 53), 2 ** 53 + 2);
    assert.equal(nextDown(-1), -1 - Number.EPSILON);
  });
});
