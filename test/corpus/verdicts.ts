// How one read of a golden table through the server is judged against delta-spark's read of it:
// equal rows; a 4xx JSON error where delta-spark refuses the table; a 404 on a file URL where the
// table logs a data file the corpus does not hold, or no file where the log cancels its only add
// (both named in goldenExpectations.ts); a 4xx naming a
// reader feature the Python client does not declare; a failure of the client on an answer shown
// right by its raw form (named, with the reason, in goldenExpectations.ts); anything else fails.
import type { Row } from "../fixtures/tables.ts";
import type { RowSet } from "./goldenCorpus.ts";
import { clientLimitations, tablesEmptyAfterReplay, tablesMissingDataFiles } from "./goldenExpectations.ts";
import { type RawAnswer, rowsByStats } from "./rawAnswers.ts";

export const verdictKinds = [
  "equal",
  "refused-as-spark",
  "expected-404",
  "empty-as-logged",
  "feature-not-declared",
  "client-limitation",
  "failure",
] as const;

export type VerdictKind = (typeof verdictKinds)[number];

export interface Verdict {
  kind: VerdictKind;
  detail: string;
}

export type ClientAnswer = (RowSet & { columns: string[] }) | { error: string };

export interface ReadToJudge {
  table: string;
  /** delta-spark's rows, or its refusal. */
  truth: { read: RowSet; version?: number } | { refused: string };
  raw: RawAnswer;
  /** The client's read, when the raw answer was 200. */
  client?: ClientAnswer;
  /** Reader features the client declares for this kind of read, lower case. */
  declaredFeatures: string[];
  /** Reader features the table needs (delta-spark's DESCRIBE DETAIL). */
  tableFeatures: string[];
}

function canonicalText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalText).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalText(item)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** Rows as sorted canonical JSON lines: numbers compare as JSON numbers (an int 1 and pandas' 1.0 alike). */
export const rowLines = (rows: Row[]): string[] => rows.map(canonicalText).sort();

function isProtocolError(raw: RawAnswer): boolean {
  return (
    raw.status >= 400 &&
    raw.status < 500 &&
    typeof raw.error?.errorCode === "string" &&
    typeof raw.error.message === "string"
  );
}

const errorText = (raw: RawAnswer) =>
  `${raw.status} ${raw.error?.errorCode ?? ""}: ${raw.error?.message ?? raw.error?.text ?? ""}`;

function sameRows(expected: RowSet, actual: RowSet): boolean {
  if (expected.rows === undefined || actual.rows === undefined) {
    return expected.count === actual.count && expected.digest === actual.digest;
  }
  const want = rowLines(expected.rows);
  const got = rowLines(actual.rows);
  return want.length === got.length && want.every((line, i) => line === got[i]);
}

function rowDifference(expected: RowSet, actual: RowSet): string {
  if (expected.rows === undefined || actual.rows === undefined) {
    return `${actual.count} rows (digest ${actual.digest.slice(0, 12)}), delta-spark ${expected.count} (${expected.digest.slice(0, 12)})`;
  }
  const want = new Set(rowLines(expected.rows));
  const got = new Set(rowLines(actual.rows));
  const missing = [...want].filter((line) => !got.has(line)).slice(0, 2);
  const extra = [...got].filter((line) => !want.has(line)).slice(0, 2);
  return `${actual.count} rows, delta-spark ${expected.count}; missing ${missing.join(" ")}; extra ${extra.join(" ")}`;
}

function missingFileVerdict(read: ReadToJudge): Verdict | undefined {
  const gone = read.raw.files.filter((file) => file.status === 404);
  if (gone.length === 0 || !tablesMissingDataFiles.includes(read.table)) return undefined;
  return { kind: "expected-404", detail: `${gone.length} of ${read.raw.files.length} file URLs answer 404` };
}

function undeclaredFeature(read: ReadToJudge): string | undefined {
  const message = String(read.raw.error?.message ?? "").toLowerCase();
  return read.tableFeatures.find(
    (feature) =>
      !read.declaredFeatures.includes(feature.toLowerCase()) && message.includes(feature.toLowerCase()),
  );
}

// A client failure is a limitation of the client only when it is named as one and the raw answer
// shows the server right: every file served, and the row count its stats give is delta-spark's.
function clientVerdict(read: ReadToJudge, expected: RowSet, problem: string): Verdict {
  const because = clientLimitations[read.table];
  const unserved = read.raw.files.filter((file) => file.status !== 200 && file.status !== 206);
  const counted = rowsByStats(read.raw);
  if (because === undefined) return { kind: "failure", detail: problem };
  if (unserved.length > 0)
    return { kind: "failure", detail: `${problem}; ${unserved.length} file URLs not served` };
  if (counted !== undefined && counted !== expected.count) {
    return {
      kind: "failure",
      detail: `${problem}; the answer's stats count ${counted} rows, delta-spark ${expected.count}`,
    };
  }
  const evidence = `${read.raw.files.length} files served, ${counted ?? "unknown (no stats)"} rows by stats`;
  return {
    kind: "client-limitation",
    detail: `${because} (${evidence}); the client: ${problem.slice(0, 300)}`,
  };
}

export function judge(read: ReadToJudge): Verdict {
  const { raw, truth } = read;
  if (raw.status >= 500) return { kind: "failure", detail: `the server answered ${errorText(raw)}` };
  if ("refused" in truth) {
    if (isProtocolError(raw)) return { kind: "refused-as-spark", detail: errorText(raw) };
    const missing = raw.status === 200 ? missingFileVerdict(read) : undefined;
    if (missing) return missing;
    if (raw.status === 200 && raw.files.length === 0 && tablesEmptyAfterReplay.includes(read.table)) {
      return { kind: "empty-as-logged", detail: `no files (delta-spark: ${truth.refused.slice(0, 120)})` };
    }
    return {
      kind: "failure",
      detail: `delta-spark refuses (${truth.refused}); the server answered ${raw.status}`,
    };
  }
  if (raw.status !== 200) {
    const feature = isProtocolError(raw) ? undeclaredFeature(read) : undefined;
    if (feature) return { kind: "feature-not-declared", detail: `${feature}: ${errorText(raw)}` };
    return {
      kind: "failure",
      detail: `delta-spark reads ${truth.read.count} rows; the server answered ${errorText(raw)}`,
    };
  }
  if (truth.version !== undefined && raw.version !== undefined && raw.version !== truth.version) {
    return {
      kind: "failure",
      detail: `the server answers version ${raw.version}, delta-spark reads ${truth.version}`,
    };
  }
  const missing = missingFileVerdict(read);
  if (missing) return missing;
  const client = read.client;
  if (client === undefined) return { kind: "failure", detail: "no client read" };
  if ("error" in client) return clientVerdict(read, truth.read, client.error);
  if (sameRows(truth.read, client)) return { kind: "equal", detail: `${client.count} rows` };
  return clientVerdict(read, truth.read, rowDifference(truth.read, client));
}

/** "equal 61, refused-as-spark 20, …": every kind, zeros included. */
export function countLine(verdicts: Verdict[]): string {
  return verdictKinds.map((kind) => `${kind} ${verdicts.filter((v) => v.kind === kind).length}`).join(", ");
}
