// The top-level columns of a Delta schemaString as pruning sees them: how each is compared, and
// under which key its partition values and statistics are stored (the physical name under column
// mapping). Nested and exotic types get kind "other": predicates on them are never evaluated.

export type ColumnKind =
  | "integral"
  | "float"
  | "double"
  | "decimal"
  | "boolean"
  | "date"
  | "timestamp"
  | "timestampNtz"
  | "string"
  | "other";

export interface TableColumn {
  name: string;
  physicalName: string;
  // The schema's type name ("long", "decimal(10,2)"), or "" for nested types.
  deltaType: string;
  kind: ColumnKind;
  partition: boolean;
}

export interface TableColumns {
  // Exact name first, then a unique case-insensitive match (Delta column names ignore case).
  find(name: string): TableColumn | undefined;
}

const physicalNameKey = "delta.columnMapping.physicalName";
const collationsKey = "__COLLATIONS";

export function readTableColumns(schemaString: string, partitionColumns: readonly string[]): TableColumns {
  const columns = new Map<string, TableColumn>();
  const byLowerName = new Map<string, TableColumn | null>();
  const partitions = new Set(partitionColumns.map((name) => name.toLowerCase()));
  for (const field of schemaFields(schemaString)) {
    const column: TableColumn = {
      name: field.name,
      physicalName: field.physicalName,
      deltaType: typeof field.type === "string" ? field.type : "",
      kind: field.collated ? "other" : columnKind(field.type),
      partition: partitions.has(field.name.toLowerCase()),
    };
    columns.set(column.name, column);
    const lower = column.name.toLowerCase();
    byLowerName.set(lower, byLowerName.has(lower) ? null : column);
  }
  return {
    find: (name) => columns.get(name) ?? byLowerName.get(name.toLowerCase()) ?? undefined,
  };
}

interface SchemaField {
  name: string;
  physicalName: string;
  type: unknown;
  collated: boolean;
}

function schemaFields(schemaString: string): SchemaField[] {
  let schema: unknown;
  try {
    schema = JSON.parse(schemaString);
  } catch {
    return [];
  }
  if (!isObject(schema) || !Array.isArray(schema.fields)) return [];
  const fields: SchemaField[] = [];
  for (const field of schema.fields) {
    if (!isObject(field) || typeof field.name !== "string") continue;
    const metadata = isObject(field.metadata) ? field.metadata : {};
    const physical = metadata[physicalNameKey];
    fields.push({
      name: field.name,
      physicalName: typeof physical === "string" && physical.length > 0 ? physical : field.name,
      type: field.type,
      collated: hasCollation(metadata),
    });
  }
  return fields;
}

function columnKind(type: unknown): ColumnKind {
  if (typeof type !== "string") return "other";
  switch (type) {
    case "byte":
    case "short":
    case "integer":
    case "long":
      return "integral";
    case "float":
      return "float";
    case "double":
      return "double";
    case "boolean":
      return "boolean";
    case "date":
      return "date";
    case "timestamp":
      return "timestamp";
    case "timestamp_ntz":
      return "timestampNtz";
    case "string":
      return "string";
    default:
      return /^decimal\(\s*\d+\s*,\s*\d+\s*\)$/.test(type) ? "decimal" : "other";
  }
}

// A collated string column (metadata `__COLLATIONS`) does not order values byte-wise.
function hasCollation(metadata: Record<string, unknown>): boolean {
  const collations = metadata[collationsKey];
  if (collations === undefined) return false;
  if (!isObject(collations)) return true;
  return Object.values(collations).some(
    (collation) => typeof collation !== "string" || !/(^|\.)UTF8_BINARY(\.|$)/i.test(collation),
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
