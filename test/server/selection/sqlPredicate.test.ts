import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Predicate } from "../../../server/selection/predicate.ts";
import { parseSqlPredicates } from "../../../server/selection/sqlPredicate.ts";

function one(hint: string): Predicate {
  const { predicate, skipped } = parseSqlPredicates([hint]);
  assert.deepEqual(skipped, [], `skipped ${hint}`);
  assert.ok(predicate);
  return predicate;
}

const col = (name: string) => ({ op: "column", name });
const lit = (value: string, valueType: string) => ({ op: "literal", value, valueType });

describe("parseSqlPredicates", () => {
  it("reads the protocol's expression table", () => {
    assert.deepEqual(one("col = 123"), { op: "equal", left: col("col"), right: lit("123", "long") });
    assert.deepEqual(one("col > 'foo'"), {
      op: "greaterThan",
      left: col("col"),
      right: lit("foo", "string"),
    });
    assert.deepEqual(one("'foo' < col"), { op: "lessThan", left: lit("foo", "string"), right: col("col") });
    assert.deepEqual(one("col >= 123"), {
      op: "greaterThanOrEqual",
      left: col("col"),
      right: lit("123", "long"),
    });
    assert.deepEqual(one("123 <= col"), {
      op: "lessThanOrEqual",
      left: lit("123", "long"),
      right: col("col"),
    });
    assert.deepEqual(one("col <> 'foo'"), {
      op: "not",
      child: { op: "equal", left: col("col"), right: lit("foo", "string") },
    });
    assert.deepEqual(one("col IS NULL"), { op: "isNull", child: col("col") });
    assert.deepEqual(one("col is not null"), { op: "not", child: { op: "isNull", child: col("col") } });
  });

  it("ANDs the hints together", () => {
    const { predicate, skipped } = parseSqlPredicates(["a = 1", "b < 2"]);
    assert.deepEqual(skipped, []);
    assert.equal(predicate?.op, "and");
    assert.equal(parseSqlPredicates([]).predicate, undefined);
  });

  it("reads literals: quotes, numbers, negatives, typed and suffixed", () => {
    assert.deepEqual(one("s = 'it''s'"), { op: "equal", left: col("s"), right: lit("it's", "string") });
    const right = (hint: string) => (one(hint) as { right: unknown }).right;
    assert.deepEqual(right("x = -5"), lit("-5", "long"));
    assert.deepEqual(right("x = 1.5"), lit("1.5", "double"));
    assert.deepEqual(right("x = .5e3"), lit(".5e3", "double"));
    assert.deepEqual(right("x = 99999999999999999999"), lit("99999999999999999999", "double"));
    assert.deepEqual(right("x = 10L"), lit("10", "long"));
    assert.deepEqual(right("x = 1.5F"), lit("1.5", "float"));
    assert.deepEqual(right("x = 1.5D"), lit("1.5", "double"));
    assert.deepEqual(right("x = 1.25BD"), lit("1.25", "double"));
    assert.deepEqual(right("x = TRUE"), lit("true", "bool"));
    assert.deepEqual(right("d = DATE '2021-01-01'"), lit("2021-01-01", "date"));
    assert.deepEqual(right("t = TIMESTAMP '2021-01-01 10:00:00'"), lit("2021-01-01 10:00:00", "timestamp"));
    assert.deepEqual(right("d = '2021-01-01'"), lit("2021-01-01", "string"));
  });

  it("reads Spark's printed form: backquotes, qualifiers, parentheses, AND/OR/NOT, IN", () => {
    assert.deepEqual(one("(`my col` = 'x')"), {
      op: "equal",
      left: col("my col"),
      right: lit("x", "string"),
    });
    assert.deepEqual(one("`a``b` = 1").op, "equal");
    assert.deepEqual((one("t.`date` = DATE '2021-01-01'") as { left: unknown }).left, {
      op: "column",
      name: "date",
      qualifiers: ["t"],
    });
    assert.deepEqual((one("date = '2021-01-01'") as { left: unknown }).left, col("date"));
    const mixed = one("(a = 1 OR b = 2) AND NOT (c IS NULL)");
    assert.equal(mixed.op, "and");
    assert.deepEqual(one("x IN (1, 2)"), {
      op: "or",
      children: [
        { op: "equal", left: col("x"), right: lit("1", "long") },
        { op: "equal", left: col("x"), right: lit("2", "long") },
      ],
    });
    assert.equal(one("x NOT IN ('a')").op, "not");
    assert.equal(one("a == 1").op, "equal");
    assert.equal(one("a != 1").op, "not");
  });

  it("skips what it cannot read and keeps the rest", () => {
    const bad = [
      "",
      "col",
      "col = ",
      "col LIKE 'a%'",
      "col <=> 1",
      "col = NULL",
      "col = 'unterminated",
      'col = "double"',
      "col = 'back\\slash'",
      "f(col) = 1",
      "col = 1 extra",
      "col = 12abc",
      "(col = 1",
      "col = DATE '2021-13-01'",
      "x".repeat(10_001),
      `${"(".repeat(100)}a = 1${")".repeat(100)}`,
      `x IN (${Array.from({ length: 101 }, (_, i) => i).join(",")})`,
    ];
    const { predicate, skipped } = parseSqlPredicates([...bad, "ok = 1"]);
    assert.deepEqual(predicate, { op: "equal", left: col("ok"), right: lit("1", "long") });
    assert.deepEqual(
      skipped.map((s) => s.hint),
      bad,
    );
    for (const entry of skipped)
      assert.ok(entry.reason.length > 0 && entry.reason.length < 200, entry.reason);
  });
});
