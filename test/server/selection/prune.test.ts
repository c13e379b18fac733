import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type {
  Comparison,
  ComparisonOp,
  Leaf,
  Predicate,
  ValueType,
} from "../../../server/selection/predicate.ts";
import { compilePruner, type PrunableFile, type PruneOptions } from "../../../server/selection/prune.ts";
import { parseSqlPredicates } from "../../../server/selection/sqlPredicate.ts";

const fields: [string, unknown, Record<string, unknown>?][] = [
  ["p_int", "integer"],
  ["p_long", "long"],
  ["p_str", "string"],
  ["p_date", "date"],
  ["p_ts", "timestamp"],
  ["p_ntz", "timestamp_ntz"],
  ["p_bool", "boolean"],
  ["p_double", "double"],
  ["p_float", "float"],
  ["p_dec", "decimal(10,2)"],
  ["d_long", "long"],
  ["d_double", "double"],
  ["d_float", "float"],
  ["d_str", "string"],
  ["d_date", "date"],
  ["d_ts", "timestamp"],
  ["d_ntz", "timestamp_ntz"],
  ["d_dec", "decimal(20,2)"],
  ["d_bool", "boolean"],
  ["d_bin", "binary"],
  ["d_struct", { type: "struct", fields: [{ name: "x", type: "long", nullable: true, metadata: {} }] }],
  ["mapped", "long", { "delta.columnMapping.physicalName": "col-5f1b" }],
  ["p_mapped", "string", { "delta.columnMapping.physicalName": "col-77aa" }],
  ["Mixed_Case", "long"],
  ["d_lcase", "string", { __COLLATIONS: { d_lcase: "spark.UTF8_LCASE.75" } }],
];
const schema = JSON.stringify({
  type: "struct",
  fields: fields.map(([name, type, metadata]) => ({ name, type, nullable: true, metadata: metadata ?? {} })),
});
const partitions = fields.map(([name]) => name).filter((name) => name.startsWith("p_"));

const column = (name: string, valueType?: ValueType): Leaf =>
  valueType === undefined ? { op: "column", name } : { op: "column", name, valueType };
const literal = (value: string, valueType: ValueType): Leaf => ({ op: "literal", value, valueType });
const compare = (op: ComparisonOp, name: string, value: string, valueType: ValueType): Comparison => ({
  op,
  left: column(name, valueType),
  right: literal(value, valueType),
});
const eq = (name: string, value: string, valueType: ValueType) => compare("equal", name, value, valueType);
const isNull = (name: string): Predicate => ({ op: "isNull", child: column(name, "string") });
const not = (child: Predicate): Predicate => ({ op: "not", child });
const and = (...children: Predicate[]): Predicate => ({ op: "and", children });
const or = (...children: Predicate[]): Predicate => ({ op: "or", children });

function keeps(predicate: Predicate, file: PrunableFile, options?: PruneOptions): boolean {
  return compilePruner(predicate, schema, partitions, options).mightMatch(file);
}

const inPartition = (values: Record<string, string | null>): PrunableFile => ({ partitionValues: values });

function withStats(stats: unknown): PrunableFile {
  return { partitionValues: {}, stats: JSON.stringify(stats) };
}

// A file whose column `name` holds values between min and max, with `nulls` nulls among `rows`.
function ranged(name: string, min: unknown, max: unknown, nulls = 0, rows = 10): PrunableFile {
  return withStats({
    numRecords: rows,
    minValues: { [name]: min },
    maxValues: { [name]: max },
    nullCount: { [name]: nulls },
  });
}

const utc: PruneOptions = { unzonedTimestampsAreUtc: true };

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
    const sql = (hint: string) => parseSqlPredicates([hint]).predicate as Predicate;
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
    const sql = (hint: string) => parseSqlPredicates([hint]).predicate as Predicate;
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
    const sql = (hint: string) => parseSqlPredicates([hint]).predicate as Predicate;
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

describe("compilePruner with what it cannot evaluate", () => {
  const file: PrunableFile = {
    partitionValues: { p_int: "1", p_str: "a" },
    stats: JSON.stringify({
      numRecords: 3,
      minValues: { d_str: "a", d_bin: "a", d_struct: { x: 1 }, d_lcase: "a" },
      maxValues: { d_str: "a", d_bin: "a", d_struct: { x: 1 }, d_lcase: "a" },
      nullCount: { d_str: 0, d_bin: 0, d_struct: { x: 0 }, d_lcase: 0 },
    }),
  };

  it("keeps files for unknown columns, nested columns, odd types and casts", () => {
    const unknowns: Predicate[] = [
      eq("nope", "1", "int"),
      eq("d_struct.x", "5", "long"),
      {
        op: "equal",
        left: { op: "column", name: "x", qualifiers: ["d_struct"] },
        right: literal("5", "long"),
      },
      eq("d_bin", "b", "string"),
      eq("d_struct", "b", "string"),
      eq("d_lcase", "A", "string"),
      { op: "equal", left: column("p_int", "string"), right: literal("2", "string") },
      { op: "equal", left: column("p_int", "int"), right: literal("x", "string") },
      { op: "equal", left: column("p_str", "string"), right: literal("2", "int") },
      { op: "equal", left: column("p_int", "int"), right: literal("1.5", "float") },
      { op: "equal", left: column("p_long", "int"), right: literal("1", "int") },
      { op: "equal", left: column("p_int", "int"), right: column("p_str", "int") },
      { op: "equal", left: literal("1", "int"), right: literal("2", "int") },
      { ...eq("p_str", "A", "string"), collated: true },
    ];
    for (const predicate of unknowns) {
      assert.equal(keeps(predicate, file), true, JSON.stringify(predicate));
      assert.equal(keeps(not(predicate), file), true, `not ${JSON.stringify(predicate)}`);
      assert.equal(keeps(and(predicate, eq("p_int", "2", "int")), file), false);
      assert.equal(keeps(or(predicate, eq("p_int", "2", "int")), file), true);
    }
    const qualified = {
      op: "equal",
      left: { op: "column", name: "p_int", qualifiers: ["t"] },
      right: literal("2", "int"),
    } as Predicate;
    assert.equal(keeps(qualified, file), false, "a table qualifier is not a struct");
  });

  it("keeps everything for a schema it cannot read", () => {
    const pruner = compilePruner(eq("p_int", "2", "int"), "not json", ["p_int"]);
    assert.equal(pruner.mightMatch(file), true);
  });

  it("keeps everything without a predicate and treats literal null checks as false", () => {
    assert.equal(compilePruner(undefined, schema, partitions).mightMatch(file), true);
    const literalNull: Predicate = { op: "isNull", child: literal("1", "int") };
    assert.equal(keeps(literalNull, file), false);
    assert.equal(keeps(not(literalNull), file), true);
  });

  it("reports whether statistics are read", () => {
    assert.equal(compilePruner(eq("p_int", "2", "int"), schema, partitions).usesStats, false);
    assert.equal(compilePruner(eq("d_long", "2", "long"), schema, partitions).usesStats, true);
    assert.equal(compilePruner(eq("nope", "2", "long"), schema, partitions).usesStats, false);
    assert.equal(compilePruner(isNull("d_long"), schema, partitions).usesStats, true);
  });

  it("reads stats only when a data column is consulted", () => {
    let reads = 0;
    const counting: PrunableFile = {
      partitionValues: { p_int: "1" },
      get stats() {
        reads += 1;
        return JSON.stringify({ numRecords: 1, minValues: { d_long: 1 }, maxValues: { d_long: 1 } });
      },
    };
    const pruner = compilePruner(and(eq("p_int", "2", "int"), eq("d_long", "1", "long")), schema, partitions);
    assert.equal(pruner.mightMatch(counting), false);
    assert.equal(reads, 0);
    const both = compilePruner(
      and(eq("d_long", "1", "long"), not(eq("d_long", "2", "long"))),
      schema,
      partitions,
    );
    assert.equal(both.mightMatch(counting), true);
    assert.equal(reads, 1);
  });

  it("decides a million files by partition value in seconds, not minutes", () => {
    const pruner = compilePruner(
      and(eq("p_date", "2021-01-05", "date"), not(eq("p_str", "us", "string"))),
      schema,
      partitions,
    );
    const regions = ["eu", "us", "ap"];
    const files: PrunableFile[] = Array.from({ length: 1_000_000 }, (_, i) => ({
      partitionValues: {
        p_date: `2021-01-${String((i % 28) + 1).padStart(2, "0")}`,
        p_str: regions[i % 3] ?? null,
      },
    }));
    const started = performance.now();
    let kept = 0;
    for (const candidate of files) if (pruner.mightMatch(candidate)) kept += 1;
    const elapsed = performance.now() - started;
    assert.equal(
      kept,
      files.filter((f) => f.partitionValues.p_date === "2021-01-05" && f.partitionValues.p_str !== "us")
        .length,
    );
    assert.ok(elapsed < 10_000, `took ${elapsed} ms`);
  });
});
