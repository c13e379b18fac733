// Deciding, exactly, whether a file's partition values satisfy a table's partition filter for one
// recipient. This is an access boundary, not a hint: a file is in the slice only when the filter is
// certainly true for its values. Comparisons follow the column's Delta type (strings by UTF-8 bytes
// as Spark orders them; numbers, dates and timestamps by value, as partition values serialise
// them; timestamps without a zone read as UTC). A null partition value, a value that cannot be read
// as the column's type, or a reference to a property the recipient lacks makes its comparison
// false, as SQL's unknown is in a WHERE clause.
import type { TableMetadata } from "../delta/actions.ts";
import { type NumberKind, type NumberRange, partitionNumber } from "./columnValues.ts";
import type { Comparison, FilterNode, FilterValue } from "./partitionFilter.ts";
import { readTableColumns, type TableColumn } from "./tableColumns.ts";

export type PartitionValues = Readonly<Record<string, string | null>>;
export type SliceTest = (partitionValues: PartitionValues) => boolean;

const zones = { unzonedTimestampsAreUtc: true };

/** Why the filter cannot be applied to a table with this metadata, or undefined when it can. */
export function filterProblem(node: FilterNode, metadata: TableMetadata): string | undefined {
  const columns = readTableColumns(metadata.schemaString, metadata.partitionColumns);
  for (const { column, like } of columnUses(node)) {
    const found = columns.find(column);
    if (!found) return `the filter names column '${column}', which the table does not have`;
    if (!found.partition) return `the filter names column '${column}', which is not a partition column`;
    if (found.kind === "other")
      return `the filter names column '${column}' of type ${found.deltaType || "struct"}, which it cannot compare`;
    if (like && found.kind !== "string")
      return `LIKE needs a string column; '${column}' is ${found.deltaType}`;
  }
  return undefined;
}

function columnUses(node: FilterNode): { column: string; like: boolean }[] {
  if (node.op === "and" || node.op === "or") return node.children.flatMap(columnUses);
  return [{ column: node.column, like: node.op === "like" }];
}

/**
 * The test of one recipient's slice. Call filterProblem first: a column that is missing here
 * makes every comparison on it false.
 */
export function sliceTest(
  node: FilterNode,
  metadata: TableMetadata,
  properties: Readonly<Record<string, string>>,
): SliceTest {
  const columns = readTableColumns(metadata.schemaString, metadata.partitionColumns);
  const bind = (current: FilterNode): SliceTest => {
    if (current.op === "and") {
      const children = current.children.map(bind);
      return (values) => children.every((child) => child(values));
    }
    if (current.op === "or") {
      const children = current.children.map(bind);
      return (values) => children.some((child) => child(values));
    }
    const column = columns.find(current.column);
    if (!column?.partition || column.kind === "other") return () => false;
    const key = column.physicalName;
    const partitionValue = (values: PartitionValues): string | undefined => {
      const value = Object.hasOwn(values, key) ? values[key] : values[column.name];
      return value === null || value === undefined || value === "" ? undefined : value;
    };
    const resolve = (value: FilterValue): string | undefined =>
      value.kind === "property" ? properties[value.name] : value.text;
    switch (current.op) {
      case "isNull":
        return (values) => partitionValue(values) === undefined;
      case "isNotNull":
        return (values) => partitionValue(values) !== undefined;
      case "like": {
        const pattern = resolve(current.pattern);
        if (pattern === undefined) return () => false;
        const regex = likeRegex(pattern);
        return (values) => {
          const value = partitionValue(values);
          return value !== undefined && regex.test(value);
        };
      }
      case "in": {
        const tests = current.values.map((value) => comparisonTest(column, "=", resolve(value)));
        return (values) => {
          const value = partitionValue(values);
          return value !== undefined && tests.some((test) => test(value));
        };
      }
      case "compare": {
        const test = comparisonTest(column, current.comparison, resolve(current.value));
        return (values) => {
          const value = partitionValue(values);
          return value !== undefined && test(value);
        };
      }
    }
  };
  return bind(node);
}

function comparisonTest(
  column: TableColumn,
  comparison: Comparison,
  value: string | undefined,
): (partitionValue: string) => boolean {
  if (value === undefined) return () => false;
  if (column.kind === "string") {
    const right = Buffer.from(value, "utf8");
    return (left) => holds(comparison, Buffer.compare(Buffer.from(left, "utf8"), right));
  }
  if (column.kind === "other") return () => false;
  const kind: NumberKind = column.kind;
  // a value is read exactly as the column's partition values are: no rounding, no widening
  const right = partitionNumber(kind, value.trim(), zones);
  if (!right) return () => false;
  return (text) => {
    const left = partitionNumber(kind, text, zones);
    return left !== undefined && certainly(comparison, left, right);
  };
}

function holds(comparison: Comparison, order: number): boolean {
  switch (comparison) {
    case "=":
      return order === 0;
    case "!=":
      return order !== 0;
    case "<":
      return order < 0;
    case "<=":
      return order <= 0;
    case ">":
      return order > 0;
    case ">=":
      return order >= 0;
  }
}

/** True only when the comparison holds for every pair of values the two ranges may stand for. */
function certainly(comparison: Comparison, left: NumberRange, right: NumberRange): boolean {
  switch (comparison) {
    case "=":
      return left.lo === left.hi && right.lo === right.hi && left.lo === right.lo;
    case "!=":
      return left.hi < right.lo || right.hi < left.lo;
    case "<":
      return left.hi < right.lo;
    case "<=":
      return left.hi <= right.lo;
    case ">":
      return left.lo > right.hi;
    case ">=":
      return left.lo >= right.hi;
  }
}

/** SQL LIKE: '%' any run, '_' any one character, everything else itself (no escape character). */
function likeRegex(pattern: string): RegExp {
  let source = "";
  for (const char of pattern) {
    if (char === "%") source += ".*";
    else if (char === "_") source += ".";
    else source += char.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "su");
}
