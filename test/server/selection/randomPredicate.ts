// Random predicates over the random table's columns, and a reference evaluation on single rows
// with Spark's semantics (SQL nulls, NaN above all numbers, implicit casts of literals). Each
// generated literal remembers the value it stands for, in the column's row domain: a timestamp a
// client sent cut to milliseconds still means the full microsecond value.
import fc from "fast-check";
import type {
  ComparisonOp,
  Leaf,
  Literal,
  Predicate,
  ValueType,
} from "../../../server/selection/predicate.ts";
import {
  type ColumnSpec,
  columns,
  compareValues,
  decimalText,
  formatDate,
  formatMicros,
  type Kind,
  pools,
  type Row,
  type Value,
  type Zones,
} from "./randomTable.ts";

const intended = new WeakMap<Literal, Value>();
const kindOf = new Map(columns.map((c) => [c.name, c.kind]));

interface LiteralChoice {
  text: string;
  valueType: ValueType;
  value: Value;
}

const choice = (text: string, valueType: ValueType, value: Value): LiteralChoice => ({
  text,
  valueType,
  value,
});

function literalArb(kind: Kind, zones: Zones): fc.Arbitrary<LiteralChoice> {
  const session = BigInt(zones.sessionMinutes) * 60000000n;
  switch (kind) {
    case "int":
      return fc.oneof(
        fc
          .constantFrom(...[...pools.int, -4n, 4n])
          .chain((n) =>
            fc.constantFrom(
              choice(String(n), "int", n),
              choice(String(n), "long", n),
              choice(String(n), "string", n),
            ),
          ),
        fc.constantFrom("1.5", "-0.5", "2", "3.0").map((t) => choice(t, "double", Number(t))),
      );
    case "long":
      return fc
        .constantFrom(...pools.long)
        .chain((n) =>
          fc.constantFrom(choice(String(n), "long", n), choice(String(n), "double", Number(String(n)))),
        );
    case "double":
      return fc.oneof(
        fc.constantFrom(...pools.double, 1, -2).map((v) => choice(String(v), "double", Number(String(v)))),
        fc.constantFrom("-1", "0", "3", "5").map((t) => choice(t, "long", Number(t))),
        fc.constantFrom("0.1", "2.5", "-1.5").map((t) => choice(t, "string", Number(t))),
      );
    case "float":
      return fc.oneof(
        fc
          .constantFrom(...pools.float.map(String), "0.1", "1.5", "3.4e38", "0.33333334")
          .map((t) => choice(t, "float", Math.fround(Number(t)))),
        fc.constantFrom(...pools.float.map(String), "0.1").map((t) => choice(t, "double", Number(t))),
        fc.constantFrom("16777217", "2").map((t) => choice(t, "long", Math.fround(Number(t)))),
      );
    case "string":
      return fc.constantFrom(...pools.string, "", "a😀b", "aa").map((s) => choice(s as string, "string", s));
    case "date":
      return fc
        .constantFrom(...pools.date, 18627, 18632)
        .chain((d) =>
          fc.constantFrom(
            choice(formatDate(d as number), "date", d),
            choice(formatDate(d as number), "string", d),
          ),
        );
    case "timestamp":
      return fc.constantFrom(...pools.timestamp, (pools.timestamp[0] as bigint) + 2000n).chain((v) => {
        const instant = v as bigint;
        return fc.constantFrom(
          choice(`${formatMicros(instant, "T", "client")}Z`, "timestamp", instant),
          choice(formatMicros(instant + session, " ", "trim"), "string", instant),
        );
      });
    case "ntz":
      return fc.constantFrom(...pools.ntz).chain((v) => {
        const wall = v as bigint;
        return fc.constantFrom(
          choice(`${formatMicros(wall - session, "T", "client")}Z`, "timestamp", wall),
          choice(formatMicros(wall, " ", "trim"), "string", wall),
        );
      });
    case "decimal":
      return fc.oneof(
        fc.constantFrom(-5n, 0n, 1n, 2n, 9n).map((n) => choice(String(n), "long", n * 100n)),
        fc
          .constantFrom(...pools.decimal.map((c) => decimalText(c as bigint)), "1.255", "-1.2")
          .map((t) => choice(t, "double", Number(t))),
      );
    case "bool":
      return fc.constantFrom(
        choice("true", "bool", true),
        choice("false", "bool", false),
        choice("yes", "string", true),
        choice("FALSE", "string", false),
      );
  }
}

const naturalType: Record<Kind, ValueType> = {
  int: "int",
  long: "long",
  double: "double",
  float: "float",
  string: "string",
  date: "date",
  timestamp: "timestamp",
  ntz: "timestamp",
  decimal: "double",
  bool: "bool",
};

const ops: ComparisonOp[] = ["equal", "lessThan", "lessThanOrEqual", "greaterThan", "greaterThanOrEqual"];

function columnLeaf(column: ColumnSpec, typed: boolean): Leaf {
  return typed
    ? { op: "column", name: column.name, valueType: naturalType[column.kind] }
    : { op: "column", name: column.name };
}

function atomArb(zones: Zones, among: ColumnSpec[]): fc.Arbitrary<Predicate> {
  const comparison = fc
    .record({
      column: fc.constantFrom(...among),
      op: fc.constantFrom(...ops),
      typed: fc.boolean(),
      flip: fc.boolean(),
    })
    .chain(({ column, op, typed, flip }) =>
      literalArb(column.kind, zones).map((picked): Predicate => {
        const literal: Literal = { op: "literal", value: picked.text, valueType: picked.valueType };
        intended.set(literal, picked.value);
        const left = columnLeaf(column, typed);
        return flip ? { op, left: literal, right: left } : { op, left, right: literal };
      }),
    );
  const isNull = fc
    .record({ column: fc.constantFrom(...among), typed: fc.boolean() })
    .map(({ column, typed }): Predicate => ({ op: "isNull", child: columnLeaf(column, typed) }));
  return fc.oneof({ weight: 4, arbitrary: comparison }, { weight: 1, arbitrary: isNull });
}

export function predicateArb(zones: Zones, among: ColumnSpec[] = columns): fc.Arbitrary<Predicate> {
  let level = atomArb(zones, among);
  for (let depth = 0; depth < 3; depth++) {
    const below = level;
    level = fc.oneof(
      { weight: 3, arbitrary: atomArb(zones, among) },
      { weight: 1, arbitrary: below.map((child): Predicate => ({ op: "not", child })) },
      {
        weight: 1,
        arbitrary: fc
          .array(below, { minLength: 2, maxLength: 3 })
          .map((children): Predicate => ({ op: "and", children })),
      },
      {
        weight: 1,
        arbitrary: fc
          .array(below, { minLength: 2, maxLength: 3 })
          .map((children): Predicate => ({ op: "or", children })),
      },
    );
  }
  return level;
}

// Spark's value of the predicate on one row: true, false or null.
export function evaluate(predicate: Predicate, row: Row): boolean | null {
  switch (predicate.op) {
    case "and": {
      const values = predicate.children.map((child) => evaluate(child, row));
      if (values.includes(false)) return false;
      return values.includes(null) ? null : true;
    }
    case "or": {
      const values = predicate.children.map((child) => evaluate(child, row));
      if (values.includes(true)) return true;
      return values.includes(null) ? null : false;
    }
    case "not": {
      const value = evaluate(predicate.child, row);
      return value === null ? null : !value;
    }
    case "isNull":
      return predicate.child.op === "column" ? (row[predicate.child.name] ?? null) === null : false;
    default: {
      const { left, right } = predicate;
      const [column, literal, op] =
        left.op === "column" && right.op === "literal"
          ? [left, right, predicate.op]
          : [right, left, mirror[predicate.op]];
      if (column.op !== "column" || literal.op !== "literal") throw new Error("unexpected comparison");
      const value = row[column.name] ?? null;
      if (value === null) return null;
      const target = intended.get(literal);
      if (target === undefined) throw new Error("literal without intended value");
      const kind = kindOf.get(column.name) as Kind;
      const order = compareAcross(kind, value, target as Value);
      return applyOrder(op, order);
    }
  }
}

const mirror: Record<ComparisonOp, ComparisonOp> = {
  equal: "equal",
  lessThan: "greaterThan",
  lessThanOrEqual: "greaterThanOrEqual",
  greaterThan: "lessThan",
  greaterThanOrEqual: "lessThanOrEqual",
};

// An integral or decimal row compared with a double literal is compared as doubles, as Spark does.
function compareAcross(kind: Kind, row: Value, target: Value): number {
  if (typeof row === "bigint" && typeof target === "number") {
    return compareValues("double", kind === "decimal" ? Number(decimalText(row)) : Number(row), target);
  }
  return compareValues(kind, row, target);
}

function applyOrder(op: ComparisonOp, order: number): boolean {
  switch (op) {
    case "equal":
      return order === 0;
    case "lessThan":
      return order < 0;
    case "lessThanOrEqual":
      return order <= 0;
    case "greaterThan":
      return order > 0;
    case "greaterThanOrEqual":
      return order >= 0;
  }
}

const sqlSymbols: Record<ComparisonOp, string> = {
  equal: "=",
  lessThan: "<",
  lessThanOrEqual: "<=",
  greaterThan: ">",
  greaterThanOrEqual: ">=",
};

// The same predicate as a SQL hint, or undefined when a literal has no SQL spelling here.
export function toSql(predicate: Predicate): string | undefined {
  switch (predicate.op) {
    case "and":
    case "or": {
      const parts = predicate.children.map(toSql);
      if (parts.some((part) => part === undefined)) return undefined;
      return `(${parts.join(predicate.op === "and" ? " AND " : " OR ")})`;
    }
    case "not": {
      const inner = toSql(predicate.child);
      return inner === undefined ? undefined : `(NOT ${inner})`;
    }
    case "isNull": {
      const inner = leafSql(predicate.child);
      return inner === undefined ? undefined : `(${inner} IS NULL)`;
    }
    default: {
      const left = leafSql(predicate.left);
      const right = leafSql(predicate.right);
      if (left === undefined || right === undefined) return undefined;
      return `(${left} ${sqlSymbols[predicate.op]} ${right})`;
    }
  }
}

function leafSql(leaf: Leaf): string | undefined {
  if (leaf.op === "column") return `\`${leaf.name}\``;
  const { value, valueType } = leaf;
  switch (valueType) {
    case "int":
    case "long":
      return value;
    case "double":
    case "float":
      return /^-?[\d.]+(e[+-]?\d+)?$/i.test(value)
        ? `${value}${valueType === "double" ? "D" : "F"}`
        : undefined;
    case "string":
      return `'${value.replaceAll("'", "''")}'`;
    case "date":
      return `DATE '${value}'`;
    case "timestamp":
      return `TIMESTAMP '${value}'`;
    case "bool":
      return value.toUpperCase();
  }
}
