// Reading values written as text: literals in hints, partition values, string-typed stats. Each
// reader returns undefined for text it does not fully understand; callers then treat the value as
// unknown rather than guess.

const integerPattern = /^[+-]?\d{1,40}$/;
const decimalPattern = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const int32 = { min: -(2n ** 31n), max: 2n ** 31n - 1n };
const int64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };

export function isIntegerText(text: string): boolean {
  return integerPattern.test(text);
}

export function isInt32Text(text: string): boolean {
  return inRange(text, int32);
}

export function isInt64Text(text: string): boolean {
  return inRange(text, int64);
}

function inRange(text: string, range: { min: bigint; max: bigint }): boolean {
  if (!integerPattern.test(text)) return false;
  const value = BigInt(text);
  return value >= range.min && value <= range.max;
}

// Decimal or scientific notation, or the special values Java's Double.parseDouble accepts.
export function parseFloatText(text: string): number | undefined {
  if (decimalPattern.test(text)) return Number(text);
  switch (text.replace(/^\+/, "")) {
    case "NaN":
      return Number.NaN;
    case "Infinity":
      return Number.POSITIVE_INFINITY;
    case "-Infinity":
      return Number.NEGATIVE_INFINITY;
    default:
      return undefined;
  }
}

export function parseBooleanText(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  return undefined;
}

const daysInMonth = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

// Days from 1970-01-01 to a proleptic Gregorian date, exact for any year.
export function daysFromCivil(year: number, month: number, day: number): number | undefined {
  if (month < 1 || month > 12 || day < 1) return undefined;
  const monthDays = month === 2 && isLeapYear(year) ? 29 : (daysInMonth[month - 1] ?? 0);
  if (day > monthDays) return undefined;
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const shiftedMonth = month > 2 ? month - 3 : month + 9;
  const dayOfYear = Math.floor((153 * shiftedMonth + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

const datePattern = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;

// `yyyy-mm-dd` (one-digit month and day allowed, as java.sql.Date.valueOf does) to epoch days.
export function parseDateText(text: string): number | undefined {
  const match = datePattern.exec(text);
  if (!match) return undefined;
  return daysFromCivil(Number(match[1]), Number(match[2]), Number(match[3]));
}

// What a SQL cast of a string to a date reads: a date, optionally followed by a time part.
export function parseDatePrefixText(text: string): number | undefined {
  const match = /^(\d{4}-\d{1,2}-\d{1,2})(?:[T ].*)?$/s.exec(text.trim());
  return match?.[1] === undefined ? undefined : parseDateText(match[1]);
}

export interface TimestampText {
  // Microseconds since the epoch of the wall-clock reading, as if it were UTC.
  wallMicros: number;
  // The conversion to a double rounded (beyond roughly year 2255): the true value is within one ulp.
  rounded: boolean;
  // Offset east of UTC in minutes when the text states one.
  offsetMinutes: number | undefined;
  // Digits of second fraction written; fewer than 6 may mean the writer truncated the value.
  fractionDigits: number;
  // Digits beyond microseconds were dropped (the true value is up to 1 µs later).
  subMicros: boolean;
}

export interface TimestampSyntax {
  // ISO 8601 with `T` and an offset only, as the protocol's Timestamp Format and JSON literals use.
  strictIso?: boolean;
  // A bare date means midnight (what a SQL cast of a string to timestamp accepts).
  allowDateOnly?: boolean;
}

const timestampPattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:([T ])(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

export function parseTimestampText(text: string, syntax: TimestampSyntax = {}): TimestampText | undefined {
  const match = timestampPattern.exec(text);
  if (!match) return undefined;
  const [, year, month, day, separator, hour, minute, second, fraction, offset] = match;
  if (separator === undefined && !syntax.allowDateOnly) return undefined;
  if (syntax.strictIso && (separator !== "T" || offset === undefined)) return undefined;
  const days = daysFromCivil(Number(year), Number(month), Number(day));
  if (days === undefined) return undefined;
  const h = Number(hour ?? 0);
  const m = Number(minute ?? 0);
  const s = Number(second ?? 0);
  if (h > 23 || m > 59 || s > 59) return undefined;
  const offsetMinutes = offset === undefined ? undefined : parseOffset(offset);
  if (offsetMinutes === null) return undefined;
  const digits = fraction ?? "";
  const micros = Number(digits.slice(0, 6).padEnd(6, "0"));
  const seconds = days * 86400 + h * 3600 + m * 60 + s;
  const small = Math.abs(seconds) < 9e9;
  const wallMicros = small ? seconds * 1e6 + micros : Number(BigInt(seconds) * 1000000n + BigInt(micros));
  return {
    wallMicros,
    rounded: !Number.isSafeInteger(wallMicros),
    offsetMinutes,
    fractionDigits: digits.length,
    subMicros: /[1-9]/.test(digits.slice(6)),
  };
}

function parseOffset(offset: string): number | null {
  if (offset === "Z") return 0;
  const sign = offset.startsWith("-") ? -1 : 1;
  const digits = offset.slice(1).replace(":", "");
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (hours > 18 || minutes > 59) return null;
  return sign * (hours * 60 + minutes);
}
