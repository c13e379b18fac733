// The typed predicate tree both hint formats parse into. It mirrors the protocol's JSON predicate
// ops; a column from a SQL hint carries no valueType (SQL compares by the column's own type).

export const valueTypes = ["bool", "int", "long", "string", "date", "float", "double", "timestamp"] as const;
export type ValueType = (typeof valueTypes)[number];

export const comparisonOps = [
  "equal",
  "lessThan",
  "lessThanOrEqual",
  "greaterThan",
  "greaterThanOrEqual",
] as const;
export type ComparisonOp = (typeof comparisonOps)[number];

export interface ColumnRef {
  op: "column";
  name: string;
  valueType?: ValueType;
  // Leading parts of a dotted SQL name (`t.col`): a table qualifier, or a struct when it names a column.
  qualifiers?: string[];
}

export interface Literal {
  op: "literal";
  value: string;
  valueType: ValueType;
}

export type Leaf = ColumnRef | Literal;

export interface IsNull {
  op: "isNull";
  child: Leaf;
}

export interface Comparison {
  op: ComparisonOp;
  left: Leaf;
  right: Leaf;
  // A non-binary collation (say case-insensitive) makes byte-wise string bounds meaningless.
  collated?: boolean;
}

export interface Junction {
  op: "and" | "or";
  children: Predicate[];
}

export interface Not {
  op: "not";
  child: Predicate;
}

export type Predicate = IsNull | Comparison | Junction | Not;

export class PredicateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PredicateError";
  }
}

export function isValueType(value: unknown): value is ValueType {
  return typeof value === "string" && (valueTypes as readonly string[]).includes(value);
}

export function isComparisonOp(value: unknown): value is ComparisonOp {
  return typeof value === "string" && (comparisonOps as readonly string[]).includes(value);
}

export function allOf(predicates: Predicate[]): Predicate | undefined {
  if (predicates.length === 0) return undefined;
  if (predicates.length === 1) return predicates[0];
  return { op: "and", children: predicates };
}
