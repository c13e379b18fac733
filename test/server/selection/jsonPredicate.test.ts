import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseJsonPredicate } from "../../../server/selection/jsonPredicate.ts";
import { PredicateError } from "../../../server/selection/predicate.ts";

const column = (name: string, valueType: string) => ({ op: "column", name, valueType });
const literal = (value: string, valueType: string) => ({ op: "literal", value, valueType });
const parse = (tree: unknown) => parseJsonPredicate(JSON.stringify(tree));

function rejects(tree: unknown, reason: RegExp): void {
  assert.throws(
    () => (typeof tree === "string" ? parseJsonPredicate(tree) : parse(tree)),
    (error: unknown) => error instanceof PredicateError && reason.test(error.message),
  );
}

describe("parseJsonPredicate", () => {
  it("reads the protocol's examples", () => {
    assert.deepEqual(
      parse({ op: "equal", children: [column("hireDate", "date"), literal("2021-04-29", "date")] }),
      {
        op: "equal",
        left: { op: "column", name: "hireDate", valueType: "date" },
        right: { op: "literal", value: "2021-04-29", valueType: "date" },
      },
    );
    const notNull = parse({ op: "not", children: [{ op: "isNull", children: [column("id", "int")] }] });
    assert.deepEqual(notNull, {
      op: "not",
      child: { op: "isNull", child: { op: "column", name: "id", valueType: "int" } },
    });
    const both = parse({
      op: "and",
      children: [
        { op: "equal", children: [column("hireDate", "date"), literal("2021-04-29", "date")] },
        { op: "lessThan", children: [column("id", "int"), literal("25", "int")] },
      ],
    });
    assert.equal(both.op, "and");
  });

  it("reads every comparison op and value type", () => {
    const values: Record<string, string> = {
      bool: "true",
      int: "-2147483648",
      long: "9223372036854775807",
      string: "it's",
      date: "2021-02-28",
      float: "1.5E10",
      double: "-0.1",
      timestamp: "2022-01-01T00:00:00.123456Z",
    };
    for (const op of ["equal", "lessThan", "lessThanOrEqual", "greaterThan", "greaterThanOrEqual"]) {
      for (const [valueType, value] of Object.entries(values)) {
        const predicate = parse({ op, children: [literal(value, valueType), column("c", valueType)] });
        assert.equal(predicate.op, op);
      }
    }
    parse({
      op: "or",
      children: [
        { op: "isNull", children: [column("a", "string")] },
        { op: "isNull", children: [column("b", "long")] },
      ],
    });
  });

  it("marks comparisons under a non-binary collation", () => {
    const tree = (collationIdentifier: string | null) =>
      parse({
        op: "equal",
        children: [column("s", "string"), literal("x", "string")],
        exprCtx: { collationIdentifier },
      });
    assert.equal((tree("spark.UTF8_LCASE.75") as { collated?: boolean }).collated, true);
    assert.equal((tree("spark.UTF8_BINARY.75") as { collated?: boolean }).collated, undefined);
    assert.equal((tree(null) as { collated?: boolean }).collated, undefined);
  });

  it("refuses malformed JSON and wrong shapes", () => {
    rejects("{", /not valid JSON/);
    rejects("[]", /JSON object/);
    rejects("null", /JSON object/);
    rejects({ op: "between", children: [] }, /unknown op/);
    rejects({ children: [] }, /unknown op/);
    rejects(column("a", "int"), /cannot stand alone/);
    rejects({ op: "equal", children: [column("a", "int")] }, /exactly 2/);
    rejects(
      { op: "equal", children: [column("a", "int"), literal("1", "int"), literal("2", "int")] },
      /exactly 2/,
    );
    rejects({ op: "equal" }, /children array/);
    rejects({ op: "not", children: [] }, /exactly 1/);
    rejects({ op: "isNull", children: [column("a", "int"), column("b", "int")] }, /exactly 1/);
    rejects({ op: "and", children: [{ op: "isNull", children: [column("a", "int")] }] }, /at least 2/);
    rejects(
      { op: "equal", children: [{ op: "isNull", children: [column("a", "int")] }, literal("1", "int")] },
      /column or literal/,
    );
    rejects({ op: "not", children: [column("a", "bool")] }, /cannot stand alone/);
    rejects({ op: "isNull", children: [{ op: "column", valueType: "int" }] }, /needs a name/);
    rejects({ op: "isNull", children: [{ op: "column", name: "", valueType: "int" }] }, /needs a name/);
    rejects({ op: "isNull", children: [{ op: "column", name: "a" }] }, /valueType/);
    rejects({ op: "isNull", children: [column("a", "decimal")] }, /unknown valueType "decimal"/);
    rejects({ op: "isNull", children: [{ ...column("a", "int"), extra: 1 }] }, /unexpected field "extra"/);
    rejects({ op: "equal", children: [column("a", "int"), literal("1", "int")], exprCtx: "x" }, /exprCtx/);
  });

  it("refuses literal values that do not fit their type", () => {
    const bad: [string, string][] = [
      ["maybe", "bool"],
      ["2147483648", "int"],
      ["1.5", "int"],
      ["9223372036854775808", "long"],
      ["", "long"],
      ["one", "double"],
      ["0x10", "float"],
      ["2021-02-29", "date"],
      ["2021/01/01", "date"],
      ["2022-01-01 00:00:00", "timestamp"],
      ["2022-01-01T00:00:00", "timestamp"],
      ["2022-01-01T25:00:00Z", "timestamp"],
    ];
    for (const [value, valueType] of bad) {
      rejects(
        { op: "equal", children: [column("a", valueType), literal(value, valueType)] },
        /is not a valid/,
      );
    }
    rejects(
      { op: "equal", children: [column("a", "int"), { op: "literal", value: 1, valueType: "int" }] },
      /must be a string/,
    );
  });

  it("refuses trees that are too deep, too large or too long", () => {
    let deep: unknown = { op: "isNull", children: [column("a", "int")] };
    for (let i = 0; i < 70; i++) deep = { op: "not", children: [deep] };
    rejects(deep, /deeper than 64/);
    const wide = {
      op: "or",
      children: Array.from({ length: 6000 }, () => ({ op: "isNull", children: [column("a", "int")] })),
    };
    rejects(wide, /more than 10000 ops/);
    rejects(" ".repeat(1_000_001), /over the limit/);
    let fine: unknown = { op: "isNull", children: [column("a", "int")] };
    for (let i = 0; i < 60; i++) fine = { op: "not", children: [fine] };
    assert.equal(parse(fine).op, "not");
  });
});
