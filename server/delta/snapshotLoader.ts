// Builds snapshots from `_delta_log`: from the newest usable checkpoint plus the JSON commits after
// it, or incrementally from a snapshot already in hand plus only the commits since.
import { addressOf, isAbsolute, PathRefusedError, rootUri } from "../storage/loggedPath.ts";
import type { TableStorage } from "../storage/storage.ts";
import type { Action } from "./actions.ts";
import { ActiveFiles, FileChanges } from "./activeFiles.ts";
import { readCheckpointAdds } from "./checkpointColumns.ts";
import { checkpointRows, openCheckpoint } from "./checkpointReader.ts";
import { FileColumns } from "./fileColumns.ts";
import { type LogFile, logDir, parseLogFile, versionFileName } from "./logFiles.ts";
import { CorruptLogError, parseCommit } from "./parseActions.ts";
import { applyAction, type ReplayState } from "./replay.ts";
import type { Snapshot } from "./snapshot.ts";
import { checkpointEstimate, commitsEstimate } from "./snapshotEstimate.ts";

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

/** Told what a snapshot build will cost before it reads the files; throws to refuse it. */
export type AdmitBuild = (estimatedBytes: number) => void;

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

const smallColumns = ["metaData", "protocol", "sidecar"];
/**
 * A checkpoint that is one file up to this size is read whole (before admission: the budget's
 * read slack covers it); parts and sidecars are read a column chunk at a time.
 */
const wholeCheckpointBytes = 8 * 2 ** 20;

const sidecarDir = `${logDir}/_sidecars/`;

// A sidecar's path is a URI, like every logged path: usually the file's name alone, resolved in
// the table's _delta_log/_sidecars where sidecars must live, or an absolute URI of a file there.
function sidecarKeyOf(path: string, location: string): string {
  const { key } = addressOf(isAbsolute(path) ? path : `${sidecarDir}${path}`, [rootUri(location)]);
  if (!key.startsWith(sidecarDir)) {
    throw new PathRefusedError(path, "a checkpoint's sidecar lies outside the table's _delta_log/_sidecars");
  }
  return key;
}

/** Reads a checkpoint: protocol and metadata into `state`, the adds (of it and its sidecars) as columns. */
async function readCheckpoint(
  storage: TableStorage,
  files: LogFile[],
  state: ReplayState,
  admit: (checkpointBytes: number) => void,
): Promise<FileColumns> {
  const opened = await Promise.all(
    files
      .filter((file) => !(file.kind === "v2checkpoint" && file.format === "json"))
      .map((file) =>
        openCheckpoint(storage, file.path, file.size, files.length === 1 ? wholeCheckpointBytes : 0),
      ),
  );
  const sidecars: { path: string; sizeInBytes: number }[] = [];
  const jsonAdds: Action[] = [];
  const take = (item: Action) => {
    if (item.kind === "sidecar") sidecars.push(item.sidecar);
    else if (item.kind === "add") jsonAdds.push(item);
    // a checkpoint's removes are tombstones of files already gone from it
    else if (item.kind !== "remove") applyAction(state, item);
  };
  for (const file of files) {
    if (file.kind === "v2checkpoint" && file.format === "json") {
      for (const item of await readCommitActions(storage, file)) take(item);
    }
  }
  for (const checkpoint of opened)
    for await (const item of checkpointRows(checkpoint, smallColumns)) take(item);
  const sidecarFiles = await Promise.all(
    sidecars.map((sidecar) =>
      openCheckpoint(storage, sidecarKeyOf(sidecar.path, storage.location), sidecar.sizeInBytes || undefined),
    ),
  );
  const parts = [...opened, ...sidecarFiles];
  admit(await checkpointEstimate(parts));
  const rows = parts.reduce((sum, part) => sum + Number(part.metadata.num_rows), jsonAdds.length);
  const columns = new FileColumns(rows);
  for (const part of parts) await readCheckpointAdds(part.file, part.metadata, part.path, columns);
  for (const item of jsonAdds) if (item.kind === "add") columns.appendFile(item.add);
  return columns.seal();
}

export async function readCommitActions(storage: TableStorage, file: LogFile): Promise<Action[]> {
  const bytes = await storage.read(file.path);
  if (!bytes) throw new CorruptLogError(`${file.path} disappeared while reading the log`);
  return parseCommit(bytes, file.path);
}

/** Commits read at the same time at most. */
const commitReads = 8;

/** The actions of the commits `from` to `to`, read a few at a time, in version order. */
async function readCommits(
  storage: TableStorage,
  listing: LogListing,
  from: number,
  to: number,
): Promise<Action[][]> {
  const files: LogFile[] = [];
  for (let version = from; version <= to; version++) {
    const file = listing.commits.get(version);
    if (!file) throw new CorruptLogError(`the Delta log is missing commit ${version}`);
    files.push(file);
  }
  const commits: Action[][] = new Array(files.length);
  let next = 0;
  const reader = async () => {
    for (let index = next++; index < files.length; index = next++) {
      commits[index] = await readCommitActions(storage, files[index] as LogFile);
    }
  };
  await Promise.all(Array.from({ length: Math.min(commitReads, files.length) }, reader));
  return commits;
}

function applyCommits(commits: Action[][], state: ReplayState): void {
  for (const actions of commits) for (const action of actions) applyAction(state, action);
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
    files: state.files.finish(),
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
export async function loadSnapshot(
  storage: TableStorage,
  version?: number,
  admit: AdmitBuild = () => {},
): Promise<Snapshot> {
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
  const state: ReplayState = { files: ActiveFiles.empty().changes() };
  const checkpointVersion = checkpoint?.[0]?.version ?? -1;
  if (!checkpoint && !listing.commits.has(0)) {
    throw new VersionNotFoundError(`version ${target} can no longer be reconstructed from the log`);
  }
  const commits = [];
  for (let v = checkpointVersion + 1; v <= target; v++) commits.push(listing.commits.get(v));
  const tail = commitsEstimate(commits);
  // the commits after the checkpoint are read, once admitted, while its adds are decoded
  let tailRead: Promise<Action[][]> | undefined;
  const readTail = () => {
    tailRead ??= readCommits(storage, listing, checkpointVersion + 1, target);
    return tailRead;
  };
  if (checkpoint) {
    const columns = await readCheckpoint(storage, checkpoint, state, (bytes) => {
      admit(bytes + tail);
      readTail().catch(() => {}); // awaited below, once the checkpoint is in
    });
    state.files = new FileChanges(columns);
  } else {
    admit(tail);
  }
  applyCommits(await readTail(), state);
  return finish(state, target, storage.location);
}

/** The newest snapshot, reusing `previous` and reading only the commits made since. */
export async function refreshSnapshot(
  storage: TableStorage,
  previous: Snapshot,
  admit: AdmitBuild = () => {},
): Promise<Snapshot> {
  const listing = await listLog(storage, previous.version + 1);
  const newCommits = [...listing.commits.keys()].sort((a, b) => a - b);
  if (newCommits.length === 0) return previous;
  const newest = newCommits[newCommits.length - 1] ?? previous.version;
  if (newCommits[0] !== previous.version + 1 || newCommits.length !== newest - previous.version) {
    return loadSnapshot(storage, undefined, admit);
  }
  admit(commitsEstimate([...listing.commits.values()]));
  const state: ReplayState = {
    files: previous.files.changes(),
    protocol: previous.protocol,
    metadata: previous.metadata,
  };
  applyCommits(await readCommits(storage, listing, previous.version + 1, newest), state);
  return finish(state, newest, storage.location);
}
