// Turning partition values, statistics and literals into comparable values for one column type.
// Every non-string type maps onto numbers: epoch days, epoch microseconds, 0/1 for booleans. A
// value that may be off (a double that rounded, a timestamp without a zone, one the writer
// truncated) becomes a range sure to hold the true value; undefined means "cannot tell".
import { nextDown, nextUp } from "./ordering.ts";
import type { Literal } from "./predicate.ts";
import type { ColumnKind, TableColumn } from "./tableColumns.ts";
import {
  isIntegerText,
  parseBooleanText,
  parseDatePrefixText,
  parseDateText,
  parseFloatText,
  parseTimestampText,
  type TimestampText,
} from "./valueText.ts";

export interface NumberRange {
  lo: number;
  hi: number;
}

export interface TimeZoneAssumption {
  // Read timestamps written without an offset as UTC. Otherwise they may be in any zone the
  // writer's (or the client's) session used, so they are widened by the span of UTC offsets.
  unzonedTimestampsAreUtc: boolean;
}

export type NumberKind = Exclude<ColumnKind, "string" | "other">;

const microsPerMinute = 60_000_000;
const mostEastOffset = 14 * 60 * microsPerMinute;
const mostWestOffset = 12 * 60 * microsPerMinute;

function point(value: number): NumberRange {
  return { lo: value, hi: value };
}

function below(value: number): number {
  return Number.isSafeInteger(value) ? value : nextDown(value);
}

function above(value: number): number {
  return Number.isSafeInteger(value) ? value : nextUp(value);
}

function integralRange(value: number): NumberRange | undefined {
  if (!Number.isInteger(value)) return undefined;
  return Number.isSafeInteger(value) ? point(value) : { lo: nextDown(value), hi: nextUp(value) };
}

// A float column's value printed as a double (or a literal read as a double) may stand for either
// the double or its nearest float; the range holds both.
function floatRange(value: number): NumberRange | undefined {
  if (Number.isNaN(value)) return undefined;
  const single = Math.fround(value);
  return { lo: Math.min(value, single), hi: Math.max(value, single) };
}

function doubleRange(value: number): NumberRange | undefined {
  return Number.isNaN(value) ? undefined : point(value);
}

// Decimals pass through doubles, which round beyond 15 significant digits.
function decimalRange(value: number): NumberRange | undefined {
  if (!Number.isFinite(value)) return undefined;
  return Number.isSafeInteger(value) ? point(value) : { lo: nextDown(value), hi: nextUp(value) };
}

function numberRange(kind: NumberKind, value: number): NumberRange | undefined {
  switch (kind) {
    case "integral":
      return integralRange(value);
    case "float":
      return floatRange(value);
    case "double":
      return doubleRange(value);
    case "decimal":
      return decimalRange(value);
    default:
      return undefined;
  }
}

// How a writer may have cut a timestamp's fraction: "exact" (partition values), "milliseconds"
// (Spark's client sends epoch millis, dropping ".000"), or "lastDigit" (statistics: anything
// from seconds up). The true value then lies within one unit either way.
type Truncation = "exact" | "milliseconds" | "lastDigit";

function truncationSpan(digits: number, truncation: Truncation): number {
  if (truncation === "exact" || digits >= 6) return 0;
  return 10 ** (6 - (truncation === "milliseconds" ? Math.max(digits, 3) : digits)) - 1;
}

function timestampRange(
  parsed: TimestampText,
  ntz: boolean,
  zones: TimeZoneAssumption,
  truncation: Truncation,
): NumberRange {
  let lo = parsed.rounded ? nextDown(parsed.wallMicros) : parsed.wallMicros;
  let hi = parsed.rounded ? nextUp(parsed.wallMicros) : parsed.wallMicros;
  if (parsed.subMicros) hi = above(hi + 1);
  const span = truncationSpan(parsed.fractionDigits, truncation);
  if (span > 0) {
    lo = below(lo - span);
    hi = above(hi + span);
  }
  const offset = parsed.offsetMinutes;
  if (offset !== undefined) {
    lo = below(lo - offset * microsPerMinute);
    hi = above(hi - offset * microsPerMinute);
  }
  const zoneKnown = zones.unzonedTimestampsAreUtc || (ntz ? offset === undefined : offset !== undefined);
  if (zoneKnown) return { lo, hi };
  // instant = wall clock - offset; an ntz column compares wall clocks, an instant shifted back.
  return ntz
    ? { lo: below(lo - mostWestOffset), hi: above(hi + mostEastOffset) }
    : { lo: below(lo - mostEastOffset), hi: above(hi + mostWestOffset) };
}

// A partition value (never "" or null here: those are nulls).
export function partitionNumber(kind: NumberKind, text: string, zones: TimeZoneAssumption) {
  switch (kind) {
    case "integral":
      return isIntegerText(text) ? integralRange(Number(text)) : undefined;
    case "float":
    case "double":
    case "decimal": {
      const value = parseFloatText(text);
      return value === undefined ? undefined : numberRange(kind, value);
    }
    case "boolean": {
      const value = parseBooleanText(text);
      return value === undefined ? undefined : point(value ? 1 : 0);
    }
    case "date": {
      const days = parseDateText(text);
      return days === undefined ? undefined : point(days);
    }
    case "timestamp":
    case "timestampNtz": {
      const parsed = parseTimestampText(text, { allowDateOnly: false });
      return parsed && timestampRange(parsed, kind === "timestampNtz", zones, "exact");
    }
  }
}

// A minValues or maxValues entry: numbers for numeric columns, strings for dates and timestamps.
export function statNumber(
  kind: NumberKind,
  value: unknown,
  zones: TimeZoneAssumption,
): NumberRange | undefined {
  if (typeof value === "number") {
    if (kind === "boolean" || kind === "date" || kind === "timestamp" || kind === "timestampNtz")
      return undefined;
    return numberRange(kind, value);
  }
  if (typeof value === "boolean") return kind === "boolean" ? point(value ? 1 : 0) : undefined;
  if (typeof value !== "string") return undefined;
  switch (kind) {
    case "date": {
      const days = parseDateText(value);
      return days === undefined ? undefined : point(days);
    }
    case "timestamp":
    case "timestampNtz": {
      const parsed = parseTimestampText(value, { allowDateOnly: false });
      return parsed && timestampRange(parsed, kind === "timestampNtz", zones, "lastDigit");
    }
    case "integral":
    case "decimal":
      return partitionNumber(kind, value, zones);
    default:
      return undefined;
  }
}

// Which declared column valueTypes read the column without changing its values.
const exactColumnTypes: Record<NumberKind | "string", readonly string[]> = {
  integral: ["int", "long", "double"],
  float: ["float", "double"],
  double: ["double"],
  decimal: ["double"],
  boolean: ["bool"],
  date: ["date"],
  timestamp: ["timestamp"],
  timestampNtz: ["timestamp"],
  string: ["string"],
};

export function columnTypeFits(column: TableColumn, valueType: string | undefined): boolean {
  if (valueType === undefined || column.kind === "other") return column.kind !== "other";
  if (column.kind === "integral" && valueType === "int" && column.deltaType === "long") return false;
  return exactColumnTypes[column.kind].includes(valueType);
}

// A literal compared with a column of this kind, as Spark would coerce it; undefined when the
// coercion is not one this module can follow exactly.
export function literalNumber(kind: NumberKind, literal: Literal, zones: TimeZoneAssumption) {
  const { value, valueType } = literal;
  switch (kind) {
    case "integral":
    case "float":
    case "double":
    case "decimal":
      return numericLiteral(kind, value, valueType);
    case "boolean":
      if (valueType === "bool") return partitionNumber(kind, value, zones);
      return valueType === "string" ? castToBoolean(value) : undefined;
    case "date": {
      if (valueType !== "date" && valueType !== "string") return undefined;
      const days = valueType === "date" ? parseDateText(value) : parseDatePrefixText(value);
      return days === undefined ? undefined : point(days);
    }
    case "timestamp":
    case "timestampNtz": {
      if (valueType !== "timestamp" && valueType !== "string") return undefined;
      const parsed = parseTimestampText(value.trim(), { allowDateOnly: true });
      return parsed && timestampRange(parsed, kind === "timestampNtz", zones, "milliseconds");
    }
  }
}

function numericLiteral(kind: NumberKind, text: string, valueType: string): NumberRange | undefined {
  let value: number | undefined;
  if (valueType === "int" || valueType === "long") {
    value = isIntegerText(text) ? Number(text) : undefined;
  } else if (valueType === "double" || valueType === "float") {
    // Spark widens an integral column to float for a float literal, which rounds large values.
    if (valueType === "float" && kind !== "float" && kind !== "double") return undefined;
    value = parseFloatText(text);
  } else if (valueType === "string") {
    // A string cast to an integral type truncates fractions; to a decimal it rounds to the scale.
    if (kind === "decimal" || (kind === "integral" && !isIntegerText(text.trim()))) return undefined;
    value = parseFloatText(text.trim());
  }
  if (value === undefined || !Number.isFinite(value)) return undefined;
  const range =
    Number.isInteger(value) && (valueType !== "double" || kind === "integral")
      ? (integralRange(value) as NumberRange)
      : point(value);
  if (kind !== "float" && valueType !== "float") return range;
  // Rounding to float is monotonic, so the rounded ends bound the rounded value.
  return {
    lo: Math.min(range.lo, Math.fround(range.lo)),
    hi: Math.max(range.hi, Math.fround(range.hi)),
  };
}

// Spark's string to boolean cast.
function castToBoolean(text: string): NumberRange | undefined {
  const lower = text.trim().toLowerCase();
  if (["t", "true", "y", "yes", "1"].includes(lower)) return point(1);
  if (["f", "false", "n", "no", "0"].includes(lower)) return point(0);
  return undefined;
}
