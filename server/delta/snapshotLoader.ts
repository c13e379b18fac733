// Builds snapshots from `_delta_log`: from the newest usable checkpoint plus the JSON commits after
// it, or incrementally from a snapshot already in hand plus only the commits since.
import type { TableStorage } from "../storage/storage.ts";
import type { Action } from "./actions.ts";
import { readParquetCheckpoint } from "./checkpointReader.ts";
import { type LogFile, logDir, parseLogFile, versionFileName } from "./logFiles.ts";
import { CorruptLogError, parseCommit } from "./parseActions.ts";
import { applyAction, type ReplayState } from "./replay.ts";
import type { Snapshot } from "./snapshot.ts";

export class TableNotFoundError extends Error {
  constructor(location: string) {
    super(`no Delta table at ${location}`);
    this.name = "TableNotFoundError";
  }
}

export class VersionNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VersionNotFoundError";
  }
}

export interface LogListing {
  commits: Map<number, LogFile>;
  checkpoints: Map<number, LogFile[]>;
}

export async function listLog(storage: TableStorage, fromVersion: number): Promise<LogListing> {
  const startAfter = fromVersion > 0 ? `${logDir}/${versionFileName(fromVersion - 1)}~` : undefined;
  const listing: LogListing = { commits: new Map(), checkpoints: new Map() };
  for await (const object of storage.list(logDir, startAfter)) {
    const file = parseLogFile(object.path, object.size);
    if (!file) continue;
    if (file.kind === "commit") {
      listing.commits.set(file.version, file);
      continue;
    }
    const parts = listing.checkpoints.get(file.version) ?? [];
    parts.push(file);
    listing.checkpoints.set(file.version, parts);
  }
  return listing;
}

/** The checkpoint files of the newest complete checkpoint at or below `maxVersion`. */
export function usableCheckpoint(listing: LogListing, maxVersion: number): LogFile[] | undefined {
  const versions = [...listing.checkpoints.keys()]
    .filter((version) => version <= maxVersion)
    .sort((a, b) => b - a);
  for (const version of versions) {
    const files = listing.checkpoints.get(version) ?? [];
    const v2 = files.find((file) => file.kind === "v2checkpoint");
    if (v2) return [v2];
    const byParts = new Map<number, LogFile[]>();
    for (const file of files) {
      if (file.kind !== "checkpoint") continue;
      const group = byParts.get(file.parts) ?? [];
      group.push(file);
      byParts.set(file.parts, group);
    }
    for (const [parts, group] of byParts) {
      const distinct = new Set(group.map((file) => (file.kind === "checkpoint" ? file.part : 0)));
      if (distinct.size === parts) return group.sort((a, b) => a.path.localeCompare(b.path));
    }
  }
  return undefined;
}

async function lastCheckpointHint(storage: TableStorage): Promise<number | undefined> {
  const bytes = await storage.read(`${logDir}/_last_checkpoint`);
  if (!bytes) return undefined;
  try {
    const hint = JSON.parse(Buffer.from(bytes).toString("utf8")) as { version?: unknown };
    return typeof hint.version === "number" && hint.version >= 0 ? hint.version : undefined;
  } catch {
    return undefined;
  }
}

async function readCheckpoint(storage: TableStorage, files: LogFile[], state: ReplayState): Promise<void> {
  for (const file of files) {
    const items =
      file.kind === "v2checkpoint" && file.format === "json"
        ? (await readCommitActions(storage, file)).values()
        : readParquetCheckpoint(storage, file.path, file.size);
    for await (const item of items) {
      if (item.kind !== "sidecar") {
        // a checkpoint's removes are tombstones of files already gone from it
        if (item.kind !== "remove") applyAction(state, item);
        continue;
      }
      const { path, sizeInBytes } = item.sidecar;
      const sidecarPath = path.includes("/") ? path : `${logDir}/_sidecars/${path}`;
      for await (const action of readParquetCheckpoint(storage, sidecarPath, sizeInBytes || undefined)) {
        if (action.kind === "add") applyAction(state, action);
      }
    }
  }
}

export async function readCommitActions(storage: TableStorage, file: LogFile): Promise<Action[]> {
  const bytes = await storage.read(file.path);
  if (!bytes) throw new CorruptLogError(`${file.path} disappeared while reading the log`);
  return parseCommit(bytes, file.path);
}

async function applyCommits(
  storage: TableStorage,
  listing: LogListing,
  from: number,
  to: number,
  state: ReplayState,
): Promise<void> {
  for (let version = from; version <= to; version++) {
    const file = listing.commits.get(version);
    if (!file) throw new CorruptLogError(`the Delta log is missing commit ${version}`);
    for (const action of await readCommitActions(storage, file)) applyAction(state, action);
  }
}

function finish(state: ReplayState, version: number, location: string): Snapshot {
  if (!state.protocol || !state.metadata) {
    throw new CorruptLogError(`${location}: the log has no protocol or metadata at version ${version}`);
  }
  return {
    version,
    ...(state.timestamp !== undefined ? { timestamp: state.timestamp } : {}),
    protocol: state.protocol,
    metadata: state.metadata,
    files: state.files,
  };
}

const newestIn = (listing: LogListing) =>
  Math.max(-1, ...listing.commits.keys(), ...listing.checkpoints.keys());

/** The log listed from the last checkpoint (from the start without one), and its newest version. */
async function listFromHint(storage: TableStorage, hint: number | undefined) {
  let listing = await listLog(storage, hint ?? 0);
  let newest = newestIn(listing);
  if (newest < 0 && hint !== undefined) {
    listing = await listLog(storage, 0);
    newest = newestIn(listing);
  }
  if (newest < 0) throw new TableNotFoundError(storage.location);
  return { listing, newest };
}

/** The table's newest version, from a listing of its log tail: no commit or checkpoint is read. */
export async function newestVersion(storage: TableStorage): Promise<number> {
  return (await listFromHint(storage, await lastCheckpointHint(storage))).newest;
}

/** The snapshot at `version`, or at the newest version when it is undefined. */
export async function loadSnapshot(storage: TableStorage, version?: number): Promise<Snapshot> {
  const hint = version === undefined ? await lastCheckpointHint(storage) : undefined;
  let { listing, newest } = await listFromHint(storage, hint);
  const target = version ?? newest;
  if (target > newest)
    throw new VersionNotFoundError(`version ${target} does not exist; the newest is ${newest}`);
  let checkpoint = usableCheckpoint(listing, target);
  if (!checkpoint && hint !== undefined && !listing.commits.has(0)) {
    listing = await listLog(storage, 0);
    checkpoint = usableCheckpoint(listing, target);
  }
  const state: ReplayState = { files: new Map() };
  const checkpointVersion = checkpoint?.[0]?.version ?? -1;
  if (checkpoint) await readCheckpoint(storage, checkpoint, state);
  if (!checkpoint && !listing.commits.has(0)) {
    throw new VersionNotFoundError(`version ${target} can no longer be reconstructed from the log`);
  }
  await applyCommits(storage, listing, checkpointVersion + 1, target, state);
  return finish(state, target, storage.location);
}

/** The newest snapshot, reusing `previous` and reading only the commits made since. */
export async function refreshSnapshot(storage: TableStorage, previous: Snapshot): Promise<Snapshot> {
  const listing = await listLog(storage, previous.version + 1);
  const newCommits = [...listing.commits.keys()].sort((a, b) => a - b);
  if (newCommits.length === 0) return previous;
  const newest = newCommits[newCommits.length - 1] ?? previous.version;
  if (newCommits[0] !== previous.version + 1 || newCommits.length !== newest - previous.version) {
    return loadSnapshot(storage);
  }
  const state: ReplayState = {
    files: new Map(previous.files),
    protocol: previous.protocol,
    metadata: previous.metadata,
  };
  await applyCommits(storage, listing, previous.version + 1, newest, state);
  return finish(state, newest, storage.location);
}
