import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ComparisonOp, Predicate } from "../../../server/selection/predicate.ts";
import {
  column,
  compare,
  eq,
  inPartition,
  isNull,
  keeps,
  literal,
  not,
  or,
  sql,
  utc,
} from "./pruneFixtures.ts";

describe("compilePruner on partition columns", () => {
  it("decides every comparison op exactly on an integer partition", () => {
    const file = inPartition({ p_int: "5" });
    const cases: [ComparisonOp, string, boolean][] = [
      ["equal", "5", true],
      ["equal", "4", false],
      ["lessThan", "5", false],
      ["lessThan", "6", true],
      ["lessThanOrEqual", "5", true],
      ["lessThanOrEqual", "4", false],
      ["greaterThan", "5", false],
      ["greaterThan", "4", true],
      ["greaterThanOrEqual", "5", true],
      ["greaterThanOrEqual", "6", false],
    ];
    for (const [op, value, kept] of cases) {
      assert.equal(keeps(compare(op, "p_int", value, "int"), file), kept, `p_int=5 ${op} ${value}`);
      assert.equal(
        keeps(not(compare(op, "p_int", value, "int")), file),
        !kept,
        `not(p_int=5 ${op} ${value})`,
      );
    }
  });

  it("flips comparisons written literal first", () => {
    const file = inPartition({ p_int: "5" });
    const flipped = (op: ComparisonOp, value: string): Predicate => ({
      op,
      left: literal(value, "int"),
      right: column("p_int", "int"),
    });
    assert.equal(keeps(flipped("lessThan", "4"), file), true);
    assert.equal(keeps(flipped("lessThan", "5"), file), false);
    assert.equal(keeps(flipped("greaterThanOrEqual", "5"), file), true);
    assert.equal(keeps(flipped("greaterThan", "5"), file), false);
  });

  it("compares each type by its own order", () => {
    const cases: [string, string, Predicate, boolean][] = [
      ["p_long", "10", compare("greaterThan", "p_long", "9", "long"), true],
      ["p_long", "10", compare("lessThan", "p_long", "9", "long"), false],
      ["p_str", "b", compare("greaterThan", "p_str", "a", "string"), true],
      ["p_str", "b", compare("greaterThan", "p_str", "b", "string"), false],
      ["p_str", "b", eq("p_str", "B", "string"), false],
      ["p_date", "2021-01-10", compare("greaterThan", "p_date", "2021-01-09", "date"), true],
      ["p_date", "2021-01-10", compare("greaterThan", "p_date", "2021-1-10", "date"), false],
      ["p_date", "2021-01-10", eq("p_date", "2021-01-10", "date"), true],
      ["p_bool", "true", eq("p_bool", "true", "bool"), true],
      ["p_bool", "true", eq("p_bool", "FALSE", "bool"), false],
      ["p_bool", "false", compare("lessThan", "p_bool", "true", "bool"), true],
      ["p_double", "2.5", compare("greaterThan", "p_double", "10", "double"), false],
      ["p_double", "2.5", eq("p_double", "2.5", "double"), true],
      ["p_double", "-0.0", eq("p_double", "0", "double"), true],
      ["p_double", "1.0E10", eq("p_double", "10000000000", "double"), true],
      ["p_float", "0.1", eq("p_float", "0.1", "float"), true],
      ["p_float", "0.1", eq("p_float", "0.2", "float"), false],
      ["p_dec", "1.50", eq("p_dec", "1.5", "double"), true],
      ["p_dec", "1.50", eq("p_dec", "1.51", "double"), false],
      ["p_dec", "1.50", compare("lessThan", "p_dec", "2", "double"), true],
    ];
    for (const [name, value, predicate, kept] of cases) {
      assert.equal(
        keeps(predicate, inPartition({ [name]: value })),
        kept,
        `${name}=${value} ${JSON.stringify(predicate)}`,
      );
    }
  });

  it("treats null and empty partition values as null", () => {
    for (const value of [null, ""]) {
      const file = inPartition({ p_int: value, p_str: value });
      assert.equal(keeps(eq("p_int", "1", "int"), file), false);
      assert.equal(keeps(not(eq("p_int", "1", "int")), file), false);
      assert.equal(keeps(eq("p_str", "", "string"), file), false);
      assert.equal(keeps(isNull("p_int"), file), true);
      assert.equal(keeps(not(isNull("p_int")), file), false);
      assert.equal(keeps(or(eq("p_int", "1", "int"), isNull("p_str")), file), true);
    }
    assert.equal(keeps(isNull("p_int"), inPartition({ p_int: "3" })), false);
    assert.equal(keeps(not(isNull("p_int")), inPartition({ p_int: "3" })), true);
  });

  it("keeps files whose partition value is missing or unreadable", () => {
    assert.equal(keeps(eq("p_int", "1", "int"), inPartition({})), true);
    assert.equal(keeps(isNull("p_int"), inPartition({})), true);
    assert.equal(keeps(eq("p_int", "1", "int"), inPartition({ p_int: "one" })), true);
    assert.equal(keeps(eq("p_date", "2021-01-01", "date"), inPartition({ p_date: "01/01/2021" })), true);
    assert.equal(keeps(eq("p_double", "1", "double"), inPartition({ p_double: "NaN" })), true);
  });

  it("reads timestamp partitions as instants, widened by the zone span unless told UTC", () => {
    const at = (value: string) => inPartition({ p_ts: value });
    const midnight = eq("p_ts", "2021-01-01T00:00:00Z", "timestamp");
    assert.equal(keeps(midnight, at("2021-01-01 00:00:00"), utc), true);
    assert.equal(keeps(midnight, at("2021-01-01 08:00:00"), utc), false);
    assert.equal(keeps(midnight, at("2021-01-01 08:00:00")), true, "a writer in UTC-8 wrote this");
    assert.equal(keeps(midnight, at("2021-01-02 15:00:00")), false);
    assert.equal(keeps(midnight, at("2021-01-01T08:00:00.000000Z")), false, "an offset pins the instant");
    assert.equal(keeps(midnight, at("2021-01-01T09:00:00+09:00")), true);
    assert.equal(keeps(midnight, at("2021-01-01 00:00:00.000400"), utc), true, "the client cut microseconds");
    assert.equal(keeps(midnight, at("2021-01-01 00:00:00.002"), utc), false);
    const later = compare("greaterThan", "p_ts", "2021-01-01T00:00:00.123456Z", "timestamp");
    assert.equal(keeps(later, at("2021-01-01 00:00:00.123456"), utc), false);
    assert.equal(keeps(later, at("2021-01-01 00:00:00.123457"), utc), true);
  });

  it("reads timestamp_ntz partitions as wall clocks", () => {
    const at = (value: string) => inPartition({ p_ntz: value });
    assert.equal(keeps(sql("p_ntz = TIMESTAMP '2021-01-01 08:00:00'"), at("2021-01-01 08:00:00")), true);
    assert.equal(keeps(sql("p_ntz = TIMESTAMP '2021-01-01 08:00:00'"), at("2021-01-01 09:00:00")), false);
    const zoned = eq("p_ntz", "2021-01-01T00:00:00Z", "timestamp");
    assert.equal(keeps(zoned, at("2021-01-01 08:00:00")), true, "the session zone is unknown");
    assert.equal(keeps(zoned, at("2021-01-01 08:00:00"), utc), false);
  });

  it("follows column mapping and ignores name case", () => {
    assert.equal(keeps(eq("p_mapped", "x", "string"), inPartition({ "col-77aa": "y" })), false);
    assert.equal(keeps(eq("p_mapped", "x", "string"), inPartition({ "col-77aa": "x" })), true);
    assert.equal(keeps(eq("P_INT", "1", "int"), inPartition({ p_int: "2" })), false);
  });

  it("casts string literals from SQL hints to the column type", () => {
    const file = inPartition({ p_date: "2021-01-10", p_int: "5", p_bool: "true", p_str: "it's" });
    assert.equal(keeps(sql("p_date = '2021-01-10'"), file), true);
    assert.equal(keeps(sql("p_date = '2021-01-11'"), file), false);
    assert.equal(keeps(sql("p_date > DATE '2021-01-10'"), file), false);
    assert.equal(keeps(sql("p_int = '5'"), file), true);
    assert.equal(keeps(sql("p_int = '6'"), file), false);
    assert.equal(keeps(sql("p_int = '5.5'"), file), true, "Spark would truncate the cast");
    assert.equal(keeps(sql("p_int > 4.5"), file), true);
    assert.equal(keeps(sql("p_int > 5.5"), file), false);
    assert.equal(keeps(sql("p_bool = 'yes'"), file), true);
    assert.equal(keeps(sql("p_bool = 'no'"), file), false);
    assert.equal(keeps(sql("p_str = 'it''s'"), file), true);
    assert.equal(keeps(sql("p_str <> 'it''s'"), file), false);
    assert.equal(keeps(sql("p_str IN ('a', 'b')"), file), false);
    assert.equal(keeps(sql("p_str = 5"), file), true, "string against number: not followed");
  });
});
