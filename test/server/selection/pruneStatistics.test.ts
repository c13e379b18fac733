import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ComparisonOp } from "../../../server/selection/predicate.ts";
import type { PrunableFile } from "../../../server/selection/prune.ts";
import { compare, eq, inPartition, isNull, keeps, not, ranged, sql, withStats } from "./pruneFixtures.ts";

describe("compilePruner on statistics", () => {
  it("uses min and max for every comparison op", () => {
    const file = ranged("d_long", 10, 20);
    const cases: [ComparisonOp, string, boolean, boolean][] = [
      // op, literal, kept, kept under not
      ["equal", "9", false, true],
      ["equal", "10", true, true],
      ["equal", "21", false, true],
      ["lessThan", "10", false, true],
      ["lessThan", "11", true, true],
      ["lessThan", "21", true, false],
      ["lessThanOrEqual", "9", false, true],
      ["lessThanOrEqual", "10", true, true],
      ["lessThanOrEqual", "20", true, false],
      ["greaterThan", "20", false, true],
      ["greaterThan", "19", true, true],
      ["greaterThan", "9", true, false],
      ["greaterThanOrEqual", "21", false, true],
      ["greaterThanOrEqual", "20", true, true],
      ["greaterThanOrEqual", "10", true, false],
    ];
    for (const [op, value, kept, keptUnderNot] of cases) {
      const predicate = compare(op, "d_long", value, "long");
      assert.equal(keeps(predicate, file), kept, `[10,20] ${op} ${value}`);
      assert.equal(keeps(not(predicate), file), keptUnderNot, `not([10,20] ${op} ${value})`);
    }
    assert.equal(keeps(not(eq("d_long", "7", "long")), ranged("d_long", 7, 7)), false);
    assert.equal(
      keeps(not(eq("d_long", "7", "long")), ranged("d_long", 7, 7, 3)),
      false,
      "nulls are not <> 7",
    );
  });

  it("uses null counts", () => {
    assert.equal(keeps(isNull("d_long"), ranged("d_long", 1, 2, 0)), false);
    assert.equal(keeps(isNull("d_long"), ranged("d_long", 1, 2, 1)), true);
    assert.equal(keeps(not(isNull("d_long")), ranged("d_long", 1, 2, 1)), true);
    const allNull = withStats({ numRecords: 4, nullCount: { d_long: 4 } });
    assert.equal(keeps(not(isNull("d_long")), allNull), false);
    assert.equal(keeps(isNull("d_long"), allNull), true);
    assert.equal(keeps(eq("d_long", "1", "long"), allNull), false);
    assert.equal(keeps(not(eq("d_long", "1", "long")), allNull), false);
    const empty = withStats({ numRecords: 0 });
    assert.equal(keeps(isNull("d_long"), empty), false);
    assert.equal(keeps(not(eq("d_long", "1", "long")), empty), false);
  });

  it("keeps files whose statistics cannot answer", () => {
    const predicate = eq("d_long", "100", "long");
    assert.equal(keeps(predicate, { partitionValues: {} }), true);
    assert.equal(keeps(predicate, { partitionValues: {}, stats: "{not json" }), true);
    assert.equal(keeps(predicate, withStats({ numRecords: 5 })), true);
    assert.equal(keeps(predicate, withStats({ numRecords: 5, minValues: { d_long: 1 } })), true);
    assert.equal(keeps(predicate, withStats({ numRecords: 5, maxValues: { d_long: 1 } })), false);
    assert.equal(keeps(predicate, ranged("d_long", "x", 1000)), true);
    assert.equal(keeps(predicate, ranged("d_long", 1, 2, 7, 5)), true, "inconsistent counts");
    assert.equal(keeps(isNull("d_long"), withStats({ numRecords: 5, nullCount: {} })), true);
    assert.equal(keeps(isNull("d_long"), ranged("d_long", 1, 2, -1)), true);
  });

  it("orders strings by code point and treats max as a possibly cut prefix", () => {
    assert.equal(keeps(eq("d_str", "😀", "string"), ranged("d_str", "a", "\uffff")), false);
    assert.equal(keeps(eq("d_str", "\uffee", "string"), ranged("d_str", "a", "😀")), true);
    assert.equal(keeps(compare("greaterThan", "d_str", "abc", "string"), ranged("d_str", "a", "ab")), true);
    assert.equal(keeps(eq("d_str", "abzzz", "string"), ranged("d_str", "a", "ab")), true);
    assert.equal(keeps(eq("d_str", "b", "string"), ranged("d_str", "a", "ab")), false);
    assert.equal(keeps(compare("lessThan", "d_str", "a", "string"), ranged("d_str", "a", "b")), false);
    assert.equal(
      keeps(not(eq("d_str", "a", "string")), ranged("d_str", "a", "a")),
      true,
      "a cut max is not tight",
    );
  });

  it("keeps doubles that may hide NaN above the max", () => {
    assert.equal(keeps(compare("greaterThan", "d_double", "100", "double"), ranged("d_double", 1, 5)), true);
    assert.equal(keeps(eq("d_double", "100", "double"), ranged("d_double", 1, 5)), false);
    assert.equal(keeps(compare("lessThan", "d_double", "0", "double"), ranged("d_double", 1, 5)), false);
    assert.equal(
      keeps(not(compare("lessThan", "d_double", "100", "double")), ranged("d_double", 1, 5)),
      true,
    );
    assert.equal(keeps(eq("d_double", "NaN", "double"), ranged("d_double", 1, 5)), true);
    assert.equal(keeps(not(eq("d_double", "5", "double")), ranged("d_double", 5, 5)), true, "NaN <> 5");
    assert.equal(keeps(eq("d_float", "0.1", "float"), ranged("d_float", 0.1, 0.1)), true);
    // 3.4e38 is the shortest text for the float 3.3999999521443642e38, but as a double it is larger.
    const float = Math.fround(3.4e38);
    assert.equal(
      keeps(
        compare("lessThanOrEqual", "d_float", String(float), "double"),
        ranged("d_float", 3.4e38, 3.4e38),
      ),
      true,
    );
    assert.equal(keeps(eq("d_float", "0.2", "float"), ranged("d_float", 0.1, 0.1)), false);
  });

  it("reads date, timestamp, decimal and boolean statistics", () => {
    assert.equal(
      keeps(eq("d_date", "2021-01-05", "date"), ranged("d_date", "2021-01-01", "2021-01-04")),
      false,
    );
    assert.equal(
      keeps(eq("d_date", "2021-01-04", "date"), ranged("d_date", "2021-01-01", "2021-01-04")),
      true,
    );
    const ts = ranged("d_ts", "2021-01-01T00:00:00.000Z", "2021-01-01T00:00:01.000Z");
    assert.equal(keeps(compare("greaterThan", "d_ts", "2021-01-01T00:00:01.000500Z", "timestamp"), ts), true);
    assert.equal(
      keeps(compare("greaterThan", "d_ts", "2021-01-01T00:00:01.002000Z", "timestamp"), ts),
      false,
    );
    assert.equal(keeps(compare("lessThan", "d_ts", "2020-12-31T23:59:59Z", "timestamp"), ts), false);
    const shifted = ranged("d_ts", "2021-01-01T09:00:00.000+09:00", "2021-01-01T09:00:00.000+09:00");
    assert.equal(keeps(compare("greaterThan", "d_ts", "2021-01-01T00:00:02Z", "timestamp"), shifted), false);
    const ntz = ranged("d_ntz", "2021-01-01T10:00:00.000", "2021-01-01T11:00:00.000");
    assert.equal(keeps(sql("d_ntz > TIMESTAMP '2021-01-01 12:00:00'"), ntz), false);
    assert.equal(keeps(sql("d_ntz > TIMESTAMP '2021-01-01 10:30:00'"), ntz), true);
    assert.equal(keeps(eq("d_dec", "3.25", "double"), ranged("d_dec", 1.25, 3.24)), false);
    assert.equal(keeps(eq("d_dec", "3.24", "double"), ranged("d_dec", 1.25, 3.24)), true);
    const wide = '{"numRecords":1,"minValues":{"d_dec":0},"maxValues":{"d_dec":12345678901234567.89}}';
    assert.equal(keeps(sql("d_dec = 12345678901234567.89"), { partitionValues: {}, stats: wide }), true);
    assert.equal(keeps(eq("d_bool", "true", "bool"), ranged("d_bool", false, false)), false);
    assert.equal(
      keeps(eq("d_bool", "true", "bool"), withStats({ numRecords: 3, nullCount: { d_bool: 0 } })),
      true,
    );
  });

  it("widens longs beyond 2^53, which JSON numbers cannot hold exactly", () => {
    const stats =
      '{"numRecords":1,"minValues":{"d_long":9007199254740993},"maxValues":{"d_long":9007199254740993}}';
    const big: PrunableFile = { partitionValues: {}, stats };
    assert.equal(keeps(eq("d_long", "9007199254740993", "long"), big), true);
    assert.equal(keeps(eq("d_long", "9007199254740992", "long"), big), true);
    assert.equal(keeps(compare("lessThan", "d_long", "9007199254740993", "long"), big), true);
    assert.equal(keeps(eq("d_long", "9007199254740000", "long"), big), false);
    assert.equal(
      keeps(eq("p_long", "9007199254740993", "long"), inPartition({ p_long: "9007199254740992" })),
      true,
    );
  });

  it("follows column mapping for statistics", () => {
    const file = withStats({ numRecords: 2, minValues: { "col-5f1b": 1 }, maxValues: { "col-5f1b": 2 } });
    assert.equal(keeps(eq("mapped", "5", "long"), file), false);
    assert.equal(keeps(eq("mapped", "2", "long"), file), true);
    assert.equal(keeps(eq("mixed_case", "5", "long"), ranged("Mixed_Case", 1, 2)), false);
  });
});
