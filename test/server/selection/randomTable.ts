// A random table for property tests: typed rows (partition and data columns, with nulls), grouped
// into files the way a Delta writer would, each file with its serialized partition values and
// exact statistics written in the styles real writers use (milliseconds for timestamps, cut
// strings, NaN left out of float bounds, longs as JSON numbers beyond 2^53).
import fc from "fast-check";

export type Kind =
  | "int"
  | "long"
  | "double"
  | "float"
  | "string"
  | "date"
  | "timestamp"
  | "ntz"
  | "decimal"
  | "bool";

export interface ColumnSpec {
  name: string;
  deltaType: string;
  kind: Kind;
  partition: boolean;
}

// int/long/decimal (in cents)/timestamp/ntz (in µs) as bigint, date as epoch days.
export type Value = bigint | number | string | boolean | null;
export type Row = Record<string, Value>;

export const columns: ColumnSpec[] = [
  { name: "p_int", deltaType: "integer", kind: "int", partition: true },
  { name: "p_str", deltaType: "string", kind: "string", partition: true },
  { name: "p_date", deltaType: "date", kind: "date", partition: true },
  { name: "p_ts", deltaType: "timestamp", kind: "timestamp", partition: true },
  { name: "p_bool", deltaType: "boolean", kind: "bool", partition: true },
  { name: "p_double", deltaType: "double", kind: "double", partition: true },
  { name: "d_long", deltaType: "long", kind: "long", partition: false },
  { name: "d_double", deltaType: "double", kind: "double", partition: false },
  { name: "d_float", deltaType: "float", kind: "float", partition: false },
  { name: "d_str", deltaType: "string", kind: "string", partition: false },
  { name: "d_date", deltaType: "date", kind: "date", partition: false },
  { name: "d_ts", deltaType: "timestamp", kind: "timestamp", partition: false },
  { name: "d_ntz", deltaType: "timestamp_ntz", kind: "ntz", partition: false },
  { name: "d_dec", deltaType: "decimal(10,2)", kind: "decimal", partition: false },
  { name: "d_bool", deltaType: "boolean", kind: "bool", partition: false },
];

export const schemaString = JSON.stringify({
  type: "struct",
  fields: columns.map((c) => ({ name: c.name, type: c.deltaType, nullable: true, metadata: {} })),
});
export const partitionColumns = columns.filter((c) => c.partition).map((c) => c.name);

const base = 1609459200000000n; // 2021-01-01T00:00:00Z in µs
const hour = 3600000000n;
const farFuture = 253402300799999999n; // 9999-12-31T23:59:59.999999

// Small pools make equal values (and boundary cases) common.
export const pools: Record<Kind, readonly Value[]> = {
  int: [-3n, -2n, -1n, 0n, 1n, 2n, 3n],
  long: [-5n, -1n, 0n, 1n, 2n, 5n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 53n + 2n, -(2n ** 53n) - 1n],
  double: [-1.5, -0, 0, 0.1, 2.5, 3, 1e300, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY],
  float: [0.1, 1.5, -2.25, 3.4e38, 16777217, 1 / 3].map(Math.fround),
  string: ["a", "ab", "abc", "b", "B", "é", "\uffff", "😀", "a😀", "zz", "it's"],
  date: [18628, 18629, 18630, 18631, 18660, -1000, 2932896],
  timestamp: [0n, 1n, 999n, 1000n, 1001n, 500000n, hour, 8n * hour, 24n * hour, -1n].map((d) => base + d),
  ntz: [0n, 1n, 999n, 1000n, 1001n, hour, 8n * hour, 24n * hour].map((d) => base + d),
  decimal: [-500n, -125n, 0n, 1n, 125n, 150n, 999n],
  bool: [true, false],
};
pools.timestamp = [...pools.timestamp, farFuture];

export function valueArb(kind: Kind): fc.Arbitrary<Value> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 4, arbitrary: fc.constantFrom(...pools[kind]) },
  );
}

function recordOf(specs: ColumnSpec[]): fc.Arbitrary<Row> {
  return fc.record(
    Object.fromEntries(specs.map((c) => [c.name, valueArb(c.kind)])) as Record<string, fc.Arbitrary<Value>>,
  );
}

const partitionArb = recordOf(columns.filter((c) => c.partition));
const dataArb = recordOf(columns.filter((c) => !c.partition));

// How a table's files were written: zones of the writer's and the client's sessions (minutes east
// of UTC), or UTC for both when the pruner is told unzoned timestamps are UTC.
export interface Zones {
  utc: boolean;
  writerMinutes: number;
  sessionMinutes: number;
}

export const zonesArb: fc.Arbitrary<Zones> = fc.oneof(
  fc.constant({ utc: true, writerMinutes: 0, sessionMinutes: 0 }),
  fc.record({
    utc: fc.constant(false),
    writerMinutes: fc.integer({ min: -48, max: 56 }).map((q) => q * 15),
    sessionMinutes: fc.integer({ min: -48, max: 56 }).map((q) => q * 15),
  }),
);

export interface TestFile {
  rows: Row[];
  partitionValues: Record<string, string | null>;
  stats: string | undefined;
}

export interface FileStyle {
  withStats: boolean;
  // Columns whose statistics the writer left out.
  skipColumns: string[];
  cutStrings: boolean;
  nullAsEmpty: boolean;
  isoTimestamps: boolean;
  // Float bounds printed as the shortest text that reads back as the float, not as the double.
  shortFloats: boolean;
}

const styleArb: fc.Arbitrary<FileStyle> = fc.record({
  withStats: fc.oneof(
    { weight: 4, arbitrary: fc.constant(true) },
    { weight: 1, arbitrary: fc.constant(false) },
  ),
  skipColumns: fc.subarray(
    columns.filter((c) => !c.partition).map((c) => c.name),
    { maxLength: 2 },
  ),
  cutStrings: fc.boolean(),
  nullAsEmpty: fc.boolean(),
  isoTimestamps: fc.boolean(),
  shortFloats: fc.boolean(),
});

export interface TestTable {
  zones: Zones;
  files: TestFile[];
}

// Rows with equal partition values go to the same partition, split into one or more files.
export const tableArb: fc.Arbitrary<TestTable> = fc
  .record({
    zones: zonesArb,
    // A few partitions per table, so that files hold many rows.
    partitions: fc.array(partitionArb, { minLength: 1, maxLength: 4 }),
    data: fc.array(fc.tuple(fc.nat(), dataArb), { maxLength: 40 }),
    splits: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 8 }),
    styles: fc.array(styleArb, { minLength: 1, maxLength: 8 }),
  })
  .map(({ zones, partitions, data, splits, styles }) => {
    const rows = data.map(([pick, values]) => ({ ...partitions[pick % partitions.length], ...values }));
    const groups = new Map<string, Row[]>();
    for (const row of rows) {
      const key = JSON.stringify(partitionColumns.map((name) => String(row[name])));
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    const files: TestFile[] = [];
    for (const group of groups.values()) {
      let at = 0;
      while (at < group.length) {
        const size = splits[files.length % splits.length] as number;
        const style = styles[files.length % styles.length] as FileStyle;
        files.push(writeFile(group.slice(at, at + size), zones, style));
        at += size;
      }
    }
    return { zones, files };
  });

function writeFile(rows: Row[], zones: Zones, style: FileStyle): TestFile {
  const first = rows[0] as Row;
  const partitionValues: Record<string, string | null> = {};
  for (const column of columns.filter((c) => c.partition)) {
    const value = first[column.name] ?? null;
    partitionValues[column.name] =
      value === null ? (style.nullAsEmpty ? "" : null) : partitionText(column.kind, value, zones, style);
  }
  return { rows, partitionValues, stats: style.withStats ? statsJson(rows, style) : undefined };
}

function partitionText(kind: Kind, value: Value, zones: Zones, style: FileStyle): string {
  switch (kind) {
    case "date":
      return formatDate(value as number);
    case "timestamp":
      if (style.isoTimestamps) return `${formatMicros(value as bigint, "T", "full")}Z`;
      return formatMicros((value as bigint) + BigInt(zones.writerMinutes) * 60000000n, " ", "trim");
    default:
      return String(value);
  }
}

function statsJson(rows: Row[], style: FileStyle): string {
  const min: string[] = [];
  const max: string[] = [];
  const nulls: string[] = [];
  for (const column of columns.filter((c) => !c.partition && !style.skipColumns.includes(c.name))) {
    const values = rows.map((row) => row[column.name] ?? null);
    nulls.push(`${JSON.stringify(column.name)}:${values.filter((v) => v === null).length}`);
    // Parquet leaves NaN out of min and max.
    const present = values.filter((v) => v !== null && !(typeof v === "number" && Number.isNaN(v)));
    if (present.length === 0) continue;
    const sorted = [...present].sort((a, b) => compareValues(column.kind, a, b));
    const low = statText(column.kind, sorted[0] as Value, style, "min");
    const high = statText(column.kind, sorted[sorted.length - 1] as Value, style, "max");
    min.push(`${JSON.stringify(column.name)}:${low}`);
    max.push(`${JSON.stringify(column.name)}:${high}`);
  }
  return `{"numRecords":${rows.length},"minValues":{${min.join(",")}},"maxValues":{${max.join(",")}},"nullCount":{${nulls.join(",")}}}`;
}

function statText(kind: Kind, value: Value, style: FileStyle, side: "min" | "max"): string {
  switch (kind) {
    case "long":
      return String(value);
    case "double":
    case "float":
      if (!Number.isFinite(value)) return JSON.stringify(String(value));
      return kind === "float" && style.shortFloats ? shortestFloat(value as number) : String(value);
    case "string": {
      const text = value as string;
      // A writer may cut either bound to a prefix (a cut max is then no longer an upper bound).
      return JSON.stringify(
        style.cutStrings && side === "min" ? text.slice(0, 1) : style.cutStrings ? text.slice(0, 2) : text,
      );
    }
    case "date":
      return JSON.stringify(formatDate(value as number));
    case "timestamp":
      return JSON.stringify(`${formatMicros(value as bigint, "T", "millis")}Z`);
    case "ntz":
      return JSON.stringify(formatMicros(value as bigint, "T", "millis"));
    case "decimal":
      return decimalText(value as bigint);
    case "bool":
      return String(value);
    default:
      throw new Error(`no stats for ${kind}`);
  }
}

function shortestFloat(value: number): string {
  for (let digits = 1; digits < 17; digits++) {
    const text = value.toPrecision(digits);
    if (Math.fround(Number(text)) === value) return String(Number(text));
  }
  return String(value);
}

export function decimalText(cents: bigint): string {
  const sign = cents < 0n ? "-" : "";
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, "0")}`;
}

export function formatDate(days: number): string {
  return new Date(days * 86400000).toISOString().slice(0, 10);
}

// "full": 6 fraction digits; "trim": drop trailing zeros (Spark's partition style); "millis":
// floor to milliseconds (Delta's stats style); "client": Spark's client, millis without ".000".
export function formatMicros(
  micros: bigint,
  separator: string,
  fraction: "full" | "trim" | "millis" | "client",
) {
  const millis = micros >= 0n ? micros / 1000n : -((-micros + 999n) / 1000n);
  const iso = new Date(Number(millis)).toISOString();
  const seconds = `${iso.slice(0, 10)}${separator}${iso.slice(11, 19)}`;
  const micro6 = `${iso.slice(20, 23)}${String(micros - millis * 1000n).padStart(3, "0")}`;
  switch (fraction) {
    case "full":
      return `${seconds}.${micro6}`;
    case "trim": {
      const trimmed = micro6.replace(/0+$/, "");
      return trimmed === "" ? seconds : `${seconds}.${trimmed}`;
    }
    case "millis":
      return `${seconds}.${micro6.slice(0, 3)}`;
    case "client":
      return micro6.startsWith("000") ? seconds : `${seconds}.${micro6.slice(0, 3)}`;
  }
}

// Spark's ordering of non-null values: NaN above all numbers, strings by UTF-8 bytes.
export function compareValues(kind: Kind, a: Value, b: Value): number {
  if (typeof a === "bigint" && typeof b === "bigint") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "number" && typeof b === "number") {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === "string" && typeof b === "string") return Buffer.compare(Buffer.from(a), Buffer.from(b));
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  throw new Error(`cannot compare ${kind} values ${String(a)} and ${String(b)}`);
}
