// The table schema, file builders and predicate builders the compilePruner tests share.
import type {
  Comparison,
  ComparisonOp,
  Leaf,
  Predicate,
  ValueType,
} from "../../../server/selection/predicate.ts";
import { compilePruner, type PrunableFile, type PruneOptions } from "../../../server/selection/prune.ts";
import { parseSqlPredicates } from "../../../server/selection/sqlPredicate.ts";

export const fields: [string, unknown, Record<string, unknown>?][] = [
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
export const schema = JSON.stringify({
  type: "struct",
  fields: fields.map(([name, type, metadata]) => ({ name, type, nullable: true, metadata: metadata ?? {} })),
});
export const partitions = fields.map(([name]) => name).filter((name) => name.startsWith("p_"));

export const column = (name: string, valueType?: ValueType): Leaf =>
  valueType === undefined ? { op: "column", name } : { op: "column", name, valueType };
export const literal = (value: string, valueType: ValueType): Leaf => ({ op: "literal", value, valueType });
export const compare = (op: ComparisonOp, name: string, value: string, valueType: ValueType): Comparison => ({
  op,
  left: column(name, valueType),
  right: literal(value, valueType),
});
export const eq = (name: string, value: string, valueType: ValueType) =>
  compare("equal", name, value, valueType);
export const isNull = (name: string): Predicate => ({ op: "isNull", child: column(name, "string") });
export const not = (child: Predicate): Predicate => ({ op: "not", child });
export const and = (...children: Predicate[]): Predicate => ({ op: "and", children });
export const or = (...children: Predicate[]): Predicate => ({ op: "or", children });

export function keeps(predicate: Predicate, file: PrunableFile, options?: PruneOptions): boolean {
  return compilePruner(predicate, schema, partitions, options).mightMatch(file);
}

export const inPartition = (values: Record<string, string | null>): PrunableFile => ({
  partitionValues: values,
});

export function withStats(stats: unknown): PrunableFile {
  return { partitionValues: {}, stats: JSON.stringify(stats) };
}

// A file whose column `name` holds values between min and max, with `nulls` nulls among `rows`.
export function ranged(name: string, min: unknown, max: unknown, nulls = 0, rows = 10): PrunableFile {
  return withStats({
    numRecords: rows,
    minValues: { [name]: min },
    maxValues: { [name]: max },
    nullCount: { [name]: nulls },
  });
}

export const utc: PruneOptions = { unzonedTimestampsAreUtc: true };

export const sql = (hint: string) => parseSqlPredicates([hint]).predicate as Predicate;
