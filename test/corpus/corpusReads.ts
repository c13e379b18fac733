// Reads every golden table through a running server, once per share: the raw answer of each query
// (and change feed where delta-spark reads one), then the official Python client's read of every
// table the server answered, all in one Python process; and judges each against delta-spark.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Row } from "../fixtures/tables.ts";
import { runPythonJson } from "../ground/python.ts";
import type { CorpusEntry, RowSet, SparkTruth } from "./goldenCorpus.ts";
import { type Api, type RawAnswer, rawChanges, rawQuery } from "./rawAnswers.ts";
import { type ClientAnswer, judge, type ReadToJudge, type Verdict } from "./verdicts.ts";

export const corpusSchema = "golden";

export interface CorpusShare {
  name: string;
  /** False where commit times are not the corpus files' own (S3 gives upload times), so change
   * rows compare without _commit_timestamp there. */
  keepsCommitTimes: boolean;
}

export interface CorpusRead {
  share: string;
  table: string;
  check: "snapshot" | "changes";
  verdict: Verdict;
}

interface Pending {
  key: string;
  share: CorpusShare;
  entry: CorpusEntry;
  check: CorpusRead["check"];
  truth: ReadToJudge["truth"];
  raw: RawAnswer;
  declaredFeatures: string[];
  tableFeatures: string[];
  request?: Record<string, unknown>;
}

const snapshotFeatures = ["deletionvectors", "columnmapping", "timestampntz"];
const changesFeatures = ["deletionvectors", "columnmapping"];

// digests cover commit times: only change feeds small enough to travel as rows compare without them
function withoutCommitTimes<T extends RowSet>(read: T): T {
  if (read.rows === undefined) return read;
  const rows: Row[] = read.rows.map(({ _commit_timestamp: _dropped, ...rest }) => rest);
  return { ...read, rows };
}

// where a read goes: its key among the client's answers, the table's coordinates and client name
function placeOf(share: CorpusShare, entry: CorpusEntry, check: CorpusRead["check"]) {
  return {
    key: `${share.name}.${entry.name}.${check}`,
    share,
    entry,
    check,
    coordinates: { share: share.name, schema: corpusSchema, table: entry.name },
    table: `${share.name}.${corpusSchema}.${entry.name}`,
  };
}

async function snapshotRead(
  api: Api,
  share: CorpusShare,
  entry: CorpusEntry,
  truth: SparkTruth,
): Promise<Pending> {
  const place = placeOf(share, entry, "snapshot");
  const raw = await rawQuery(api, place.coordinates);
  return {
    ...place,
    truth:
      truth.count !== undefined && truth.digest !== undefined
        ? { read: { count: truth.count, digest: truth.digest, rows: truth.rows }, version: truth.version }
        : { refused: truth.refused ?? "no rows" },
    raw,
    declaredFeatures: snapshotFeatures,
    tableFeatures: truth.tableFeatures ?? [],
    request:
      raw.status === 200
        ? { key: place.key, op: "load", table: place.table, use_delta_format: null }
        : undefined,
  };
}

async function changesRead(
  api: Api,
  share: CorpusShare,
  entry: CorpusEntry,
  truth: SparkTruth,
): Promise<Pending | undefined> {
  const changes = truth.changes;
  if (!changes) return undefined;
  const delta = (truth.minReaderVersion ?? 1) > 1;
  const from = "from" in changes ? changes.from : 0;
  const place = placeOf(share, entry, "changes");
  const raw = await rawChanges(api, place.coordinates, from, delta);
  const { key, table } = place;
  return {
    ...place,
    truth:
      "error" in changes
        ? { refused: changes.error }
        : { read: share.keepsCommitTimes ? changes : withoutCommitTimes(changes) },
    raw,
    declaredFeatures: delta ? changesFeatures : [],
    tableFeatures: truth.tableFeatures ?? [],
    request:
      raw.status === 200
        ? { key, op: "changes", table, starting_version: from, use_delta_format: delta ? true : null }
        : undefined,
  };
}

async function readWithClient(
  profile: string,
  requests: Record<string, unknown>[],
): Promise<Record<string, ClientAnswer>> {
  const dir = await mkdtemp(join(tmpdir(), "dso-golden-reads-"));
  try {
    const file = join(dir, "requests.json");
    await writeFile(file, JSON.stringify(requests.map((request) => ({ profile, ...request }))));
    const answer = await runPythonJson<{ answers: Record<string, ClientAnswer> }>(
      "test/corpus/golden_reads.py",
      [file],
      {
        timeoutMs: 1_200_000,
      },
    );
    return answer.answers;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function verdictOf(pending: Pending, client: ClientAnswer | undefined): Verdict {
  if (!pending.entry.isTable && pending.raw.status !== 404) {
    return { kind: "failure", detail: `a folder without a table answered ${pending.raw.status}, not 404` };
  }
  const answer =
    client && !("error" in client) && !pending.share.keepsCommitTimes && pending.check === "changes"
      ? withoutCommitTimes(client)
      : client;
  return judge({
    table: pending.entry.name,
    truth: pending.truth,
    raw: pending.raw,
    client: answer,
    declaredFeatures: pending.declaredFeatures,
    tableFeatures: pending.tableFeatures,
  });
}

async function rawReads(
  api: Api,
  share: CorpusShare,
  entry: CorpusEntry,
  truth: SparkTruth,
): Promise<Pending[]> {
  const snapshot = await snapshotRead(api, share, entry, truth);
  const changes = await changesRead(api, share, entry, truth);
  return changes ? [snapshot, changes] : [snapshot];
}

export interface CorpusRun {
  reads: CorpusRead[];
  /** Wall-clock seconds of the raw answers (files probed) and of the client's reads. */
  seconds: { raw: number; client: number };
}

// a few tables at once: the server and S3 answer while the probes of another table wait on them
const concurrentTables = 4;

/** Every entry through every share: raw answers first, then one client process for all reads. */
export async function readCorpus(
  api: Api,
  profile: string,
  shares: CorpusShare[],
  entries: CorpusEntry[],
  truth: Record<string, SparkTruth>,
): Promise<CorpusRun> {
  const started = performance.now();
  const jobs = shares.flatMap((share) => entries.map((entry) => ({ share, entry })));
  const results: Pending[][] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < jobs.length; index = next++) {
      const { share, entry } = jobs[index] as (typeof jobs)[number];
      results[index] = await rawReads(
        api,
        share,
        entry,
        truth[entry.name] ?? { refused: "no truth computed" },
      );
    }
  };
  await Promise.all(Array.from({ length: concurrentTables }, worker));
  const pending = results.flat();
  const rawDone = performance.now();
  const requests = pending.flatMap((read) => (read.request ? [read.request] : []));
  const answers = requests.length > 0 ? await readWithClient(profile, requests) : {};
  const reads = pending.map((read) => ({
    share: read.share.name,
    table: read.entry.name,
    check: read.check,
    verdict: verdictOf(read, answers[read.key]),
  }));
  const seconds = (from: number, to: number) => Math.round((to - from) / 100) / 10;
  return { reads, seconds: { raw: seconds(started, rawDone), client: seconds(rawDone, performance.now()) } };
}
