// Commit timestamps and the version↔timestamp lookups of time travel, as Delta defines them: a
// commit's time is its log file's modification time, made strictly increasing over the versions,
// or, from the version that enabled in-commit timestamps on, the commitInfo's inCommitTimestamp.
import type { TableStorage } from "../storage/storage.ts";
import type { CommitInfo, TableMetadata } from "./actions.ts";
import { logDir, parseLogFile, versionFileName } from "./logFiles.ts";
import { CorruptLogError, parseActionLine } from "./parseActions.ts";
import { VersionNotFoundError } from "./snapshotLoader.ts";

/** How far before a range modification times are listed, so they are made increasing as Delta does. */
const monotonizationWindow = 100;

export interface CommitFile {
  version: number;
  path: string;
  /** The modification time, raised where needed to stay above the previous commit's. */
  timestamp: number;
}

export interface InCommitTimestamps {
  /** The first version whose commitInfo carries an inCommitTimestamp. */
  fromVersion: number;
  /** That version's inCommitTimestamp (absent when enabled at creation). */
  fromTimestamp?: number;
}

/** Where in-commit timestamps apply, from the newest metadata of the table. */
export function inCommitTimestampsOf(metadata: TableMetadata): InCommitTimestamps | undefined {
  const config = metadata.configuration;
  if (config["delta.enableInCommitTimestamps"] !== "true") return undefined;
  const version = Number(config["delta.inCommitTimestampEnablementVersion"] ?? 0);
  const timestamp = config["delta.inCommitTimestampEnablementTimestamp"];
  return {
    fromVersion: Number.isInteger(version) && version >= 0 ? version : 0,
    ...(timestamp !== undefined && Number.isFinite(Number(timestamp))
      ? { fromTimestamp: Number(timestamp) }
      : {}),
  };
}

export const usesInCommitTimestamp = (ict: InCommitTimestamps | undefined, version: number): boolean =>
  ict !== undefined && version >= ict.fromVersion;

/** The commit files from `from` to `to` (inclusive) in version order, with monotonized file times. */
export async function listCommits(storage: TableStorage, from: number, to = Infinity): Promise<CommitFile[]> {
  const listFrom = Math.max(0, from - monotonizationWindow);
  const startAfter = listFrom > 0 ? `${logDir}/${versionFileName(listFrom - 1)}~` : undefined;
  const commits: CommitFile[] = [];
  for await (const object of storage.list(logDir, startAfter)) {
    const file = parseLogFile(object.path, object.size);
    if (file?.kind !== "commit") continue;
    if (file.version > to) break;
    commits.push({ version: file.version, path: file.path, timestamp: object.modified ?? 0 });
  }
  commits.sort((a, b) => a.version - b.version);
  for (let i = 1; i < commits.length; i++) {
    const previous = commits[i - 1] as CommitFile;
    const commit = commits[i] as CommitFile;
    if (commit.timestamp <= previous.timestamp) commit.timestamp = previous.timestamp + 1;
  }
  return commits.filter((commit) => commit.version >= from);
}

/** The inCommitTimestamp of one commit: its commitInfo is the commit's first action. */
export async function readInCommitTimestamp(storage: TableStorage, version: number): Promise<number> {
  const path = `${logDir}/${versionFileName(version)}.json`;
  const bytes = await storage.read(path);
  if (!bytes) throw new VersionNotFoundError(`version ${version} is no longer in the table's Delta log`);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  const firstLine = text.slice(0, text.indexOf("\n") >>> 0).trim();
  const action = parseActionLine(firstLine, path);
  const value =
    action.kind === "commitInfo" ? (action.commitInfo as CommitInfo).inCommitTimestamp : undefined;
  if (typeof value !== "number")
    throw new CorruptLogError(`${path}: no inCommitTimestamp in its first action`);
  return value;
}

/** Commit timestamps of the versions from `from` to `to`, as change data feeds report them. */
export async function commitTimestamps(
  storage: TableStorage,
  ict: InCommitTimestamps | undefined,
  from: number,
  to: number,
): Promise<Map<number, number>> {
  const times = new Map<number, number>();
  for (const commit of await listCommits(storage, from, to)) times.set(commit.version, commit.timestamp);
  for (const version of times.keys()) {
    if (usesInCommitTimestamp(ict, version))
      times.set(version, await readInCommitTimestamp(storage, version));
  }
  return times;
}

const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

/** A protocol timestamp (ISO 8601 with a zone, e.g. 2022-01-01T00:00:00Z) in epoch milliseconds. */
export function parseTimestamp(name: string, text: string): number {
  const millis = isoInstant.test(text) ? Date.parse(text.toUpperCase()) : Number.NaN;
  if (!Number.isFinite(millis)) {
    throw new VersionNotFoundError(
      `${name} '${text}' is not a timestamp in ISO 8601 form with a zone, such as 2022-01-01T00:00:00Z`,
    );
  }
  return millis;
}

const iso = (millis: number) => new Date(millis).toISOString();

interface Timeline {
  /** Commits whose timestamps are compared with the timestamp asked for, in version order. */
  commits: { version: number; timestamp: number }[];
}

/** The commits a timestamp is looked up among, per the in-commit-timestamp rules of the Delta protocol. */
async function timelineFor(
  storage: TableStorage,
  latestVersion: number,
  ict: InCommitTimestamps | undefined,
  timestamp: number,
): Promise<Timeline> {
  const ictRange = ict !== undefined && (ict.fromTimestamp === undefined || timestamp >= ict.fromTimestamp);
  if (ict && ictRange) {
    return { commits: await inCommitTimeline(storage, ict.fromVersion, latestVersion, timestamp) };
  }
  const files = await listCommits(storage, 0, ict ? ict.fromVersion - 1 : latestVersion);
  return { commits: files };
}

/**
 * The in-commit timestamps around `timestamp` by binary search (they increase with the version), as
 * a short timeline: the commit at or before it and the one after it, when they exist.
 */
async function inCommitTimeline(storage: TableStorage, from: number, to: number, timestamp: number) {
  let low = from;
  let high = to;
  let atOrBefore: { version: number; timestamp: number } | undefined;
  while (low <= high) {
    const middle = Math.floor((low + high) / 2);
    const time = await readInCommitTimestamp(storage, middle);
    if (time <= timestamp) {
      atOrBefore = { version: middle, timestamp: time };
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  const timeline: { version: number; timestamp: number }[] = [];
  const firstAfter = atOrBefore ? atOrBefore.version + 1 : from;
  if (atOrBefore) timeline.push(atOrBefore);
  else timeline.push({ version: from, timestamp: await readInCommitTimestamp(storage, from) });
  if (atOrBefore && firstAfter <= to) {
    timeline.push({ version: firstAfter, timestamp: await readInCommitTimestamp(storage, firstAfter) });
  }
  return timeline;
}

/** The version time travel to `timestamp` reads: the newest commit at or before it. */
export async function versionAtOrBefore(
  storage: TableStorage,
  latestVersion: number,
  ict: InCommitTimestamps | undefined,
  timestamp: number,
  options: { afterLatest: "error" | "latest"; sharedFrom: number },
): Promise<number> {
  const { commits } = await timelineFor(storage, latestVersion, ict, timestamp);
  const first = commits[0];
  if (!first || timestamp < first.timestamp) {
    // a version before the table's shared history is not named, nor its commit time
    const shown = first !== undefined && first.version >= options.sharedFrom;
    throw new VersionNotFoundError(
      `the timestamp ${iso(timestamp)} is before the earliest version available to this table` +
        (shown ? ` (${first.version}, committed at ${iso(first.timestamp)})` : ""),
    );
  }
  let found = first;
  for (const commit of commits) if (commit.timestamp <= timestamp) found = commit;
  const last = commits[commits.length - 1] ?? first;
  if (
    options.afterLatest === "error" &&
    found.version === latestVersion &&
    timestamp > last.timestamp &&
    last.version === latestVersion
  ) {
    throw new VersionNotFoundError(
      `the timestamp ${iso(timestamp)} is after the latest version available to this table ` +
        `(${latestVersion}, committed at ${iso(last.timestamp)})`,
    );
  }
  return found.version;
}

/** The earliest version committed at or after `timestamp` (the earliest one for older timestamps). */
export async function versionAtOrAfter(
  storage: TableStorage,
  latestVersion: number,
  ict: InCommitTimestamps | undefined,
  timestamp: number,
): Promise<number> {
  const { commits } = await timelineFor(storage, latestVersion, ict, timestamp);
  const found = commits.find((commit) => commit.timestamp >= timestamp);
  if (found) return found.version;
  const last = commits[commits.length - 1];
  // before in-commit timestamps were enabled, the first version with them follows
  if (ict && last && last.version < ict.fromVersion && ict.fromVersion <= latestVersion)
    return ict.fromVersion;
  throw new VersionNotFoundError(
    `the timestamp ${iso(timestamp)} is after the latest version available to this table` +
      (last ? ` (${last.version}, committed at ${iso(last.timestamp)})` : ""),
  );
}

/** The commit timestamp of one version. */
export async function commitTimestampOf(
  storage: TableStorage,
  ict: InCommitTimestamps | undefined,
  version: number,
): Promise<number | undefined> {
  if (usesInCommitTimestamp(ict, version)) return readInCommitTimestamp(storage, version);
  const commits = await listCommits(storage, version, version);
  return commits[0]?.timestamp;
}
