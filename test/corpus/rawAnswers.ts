// The server's raw answers for the corpus test: the HTTP status and body of a table query or a
// change feed, asked as the Python client asks (both formats accepted, its reader features), and
// what each data file URL in it answers. This is the evidence behind every verdict the test gives
// that the client's own read cannot show: a 4xx and its words, a file URL that answers 404, an
// answer that is right where the client fails on it.

/** The capabilities the Python client (1.4.2) sends when it lets the server pick the format. */
export const clientSnapshotCapabilities =
  "responseformat=delta,parquet;readerfeatures=deletionvectors,columnmapping,timestampntz";
/** The capabilities it sends for a change feed in the delta format. */
export const clientChangesCapabilities = "responseformat=delta;readerfeatures=deletionvectors,columnmapping";

export interface FileProbe {
  url: string;
  status: number;
  /** numRecords from the file's stats, when it has them. */
  numRecords?: number;
  /** Rows its deletion vector removes. */
  deleted: number;
}

export interface RawAnswer {
  status: number;
  /** The protocol error, for answers that are not 200. */
  error?: { errorCode?: unknown; message?: unknown; text: string };
  format?: string;
  version?: number;
  files: FileProbe[];
}

export type Api = (path: string, init?: RequestInit) => Promise<Response>;

type Json = Record<string, unknown>;

const object = (value: unknown): Json | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;

function numRecords(stats: unknown): number | undefined {
  if (typeof stats !== "string") return undefined;
  try {
    const value = object(JSON.parse(stats))?.numRecords;
    return typeof value === "number" ? value : undefined;
  } catch {
    return undefined;
  }
}

// A data file of either format: parquet's {file|add|cdf|remove: {url}}, delta's
// {file: {deltaSingleAction: {add|remove|cdc: {path}}}}; removes are not read, so not probed.
function fileOf(line: Json): Omit<FileProbe, "status"> | undefined {
  const single = object(object(line.file)?.deltaSingleAction);
  if (single) {
    const action = object(single.add) ?? object(single.cdc);
    if (!action || typeof action.path !== "string") return undefined;
    const dv = object(action.deletionVector);
    const deleted = typeof dv?.cardinality === "number" ? dv.cardinality : 0;
    return { url: action.path, numRecords: numRecords(action.stats), deleted };
  }
  const action = object(line.file) ?? object(line.add) ?? object(line.cdf);
  if (!action || typeof action.url !== "string") return undefined;
  const dv = object(action.deletionVector);
  const deleted = typeof dv?.cardinality === "number" ? dv.cardinality : 0;
  return { url: action.url, numRecords: numRecords(action.stats), deleted };
}

// One byte of each file: enough to tell a served file from a missing one, on our /files route and
// on S3 presigned URLs alike (signed for GET, so no HEAD).
async function probe(url: string): Promise<number> {
  const response = await fetch(url, { headers: { range: "bytes=0-0" }, signal: AbortSignal.timeout(30_000) });
  await response.body?.cancel();
  return response.status;
}

async function answerOf(response: Response): Promise<RawAnswer> {
  const text = await response.text();
  const version = Number(response.headers.get("delta-table-version") ?? Number.NaN);
  const base = {
    status: response.status,
    format: response.headers.get("delta-sharing-capabilities") ?? undefined,
    ...(Number.isInteger(version) ? { version } : {}),
  };
  if (response.status !== 200) {
    let body: Json | undefined;
    try {
      body = object(JSON.parse(text));
    } catch {
      body = undefined;
    }
    return {
      ...base,
      error: { errorCode: body?.errorCode, message: body?.message, text: text.slice(0, 1000) },
      files: [],
    };
  }
  const found = text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => fileOf(JSON.parse(line) as Json))
    .filter((file) => file !== undefined);
  const files: FileProbe[] = [];
  for (const file of found) files.push({ ...file, status: await probe(file.url) });
  return { ...base, files };
}

const tablePath = (share: string, schema: string, table: string) =>
  `/shares/${encodeURIComponent(share)}/schemas/${encodeURIComponent(schema)}/tables/${encodeURIComponent(table)}`;

/** POST …/query (at the latest version unless given), as the client asks when it lets the server choose. */
export async function rawQuery(
  api: Api,
  coordinates: { share: string; schema: string; table: string },
  version?: number,
): Promise<RawAnswer> {
  const response = await api(`${tablePath(coordinates.share, coordinates.schema, coordinates.table)}/query`, {
    method: "POST",
    headers: { "content-type": "application/json", "delta-sharing-capabilities": clientSnapshotCapabilities },
    body: JSON.stringify(version === undefined ? {} : { version }),
  });
  return answerOf(response);
}

/** GET …/changes from a version, in the delta format when `delta`, else parquet. */
export async function rawChanges(
  api: Api,
  coordinates: { share: string; schema: string; table: string },
  startingVersion: number,
  delta: boolean,
): Promise<RawAnswer> {
  const path = `${tablePath(coordinates.share, coordinates.schema, coordinates.table)}/changes?startingVersion=${startingVersion}`;
  const headers: Record<string, string> = delta
    ? { "delta-sharing-capabilities": clientChangesCapabilities }
    : {};
  return answerOf(await api(path, { headers }));
}

/** Rows the answer's files hold by their stats (deletion vectors subtracted); undefined when a file has no stats. */
export function rowsByStats(answer: RawAnswer): number | undefined {
  let total = 0;
  for (const file of answer.files) {
    if (file.numRecords === undefined) return undefined;
    total += file.numRecords - file.deleted;
  }
  return total;
}
