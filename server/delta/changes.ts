// The changes of a version range, one commit at a time. Two readings of a commit:
// - "cdf" (change data feed): its `cdc` files when it has any, else its data-changing adds and
//   removes as inserts and deletes (delta-io/delta PROTOCOL.md, Reader Requirements for AddCDCFile);
// - "stream" (streaming from a version): its data-changing adds and removes.
// Both may carry the metadata and protocol actions of versions after the first.
import type { TableStorage } from "../storage/storage.ts";
import type { AddFile, CdcFile, CommitInfo, RemoveFile, TableMetadata, TableProtocol } from "./actions.ts";
import { type InCommitTimestamps, listCommits, usesInCommitTimestamp } from "./history.ts";
import { CorruptLogError, parseCommit } from "./parseActions.ts";
import { VersionNotFoundError } from "./snapshotLoader.ts";

export type ChangeItem =
  | { kind: "add"; add: AddFile }
  | { kind: "remove"; remove: RemoveFile }
  | { kind: "cdc"; cdc: CdcFile }
  | { kind: "metaData"; metaData: TableMetadata }
  | { kind: "protocol"; protocol: TableProtocol };

export interface VersionChanges {
  version: number;
  timestamp: number;
  items: ChangeItem[];
}

export interface ChangesOptions {
  mode: "cdf" | "stream";
  from: number;
  to: number;
  includeMetadata: boolean;
  includeProtocol: boolean;
  /** Metadata and protocol actions count as historical after this version (default: `from`). */
  historyAfter?: number;
  ict: InCommitTimestamps | undefined;
}

export const changeDataFeedEnabled = (metadata: TableMetadata): boolean =>
  metadata.configuration["delta.enableChangeDataFeed"] === "true";

export function notRecorded(version: number, from: number, to: number): VersionNotFoundError {
  return new VersionNotFoundError(
    `change data for the range [${from}, ${to}] cannot be read: change data was not recorded for version ${version}`,
  );
}

/** A MERGE that rewrote files without changing a row records no change data (as delta-spark skips it). */
function noOpMerge(info: CommitInfo | undefined): boolean {
  if (info?.operation !== "MERGE") return false;
  const metrics = (info.operationMetrics ?? {}) as Record<string, unknown>;
  return ["numTargetRowsInserted", "numTargetRowsUpdated", "numTargetRowsDeleted"].every(
    (name) => String(metrics[name]) === "0",
  );
}

/** The commits of the range in order; a commit missing from the log (log retention) is an error. */
export async function* readChanges(
  storage: TableStorage,
  options: ChangesOptions,
): AsyncGenerator<VersionChanges> {
  const { from, to } = options;
  const historyAfter = options.historyAfter ?? from;
  const commits = await listCommits(storage, from, to);
  const first = commits[0];
  if (first?.version !== from) {
    throw new VersionNotFoundError(
      `version ${from} is no longer in the table's Delta log: its changes cannot be read any more`,
    );
  }
  for (let index = 0; index < commits.length; index++) {
    const commit = commits[index];
    if (commit === undefined || commit.version !== from + index) {
      throw new VersionNotFoundError(`version ${from + index} is missing from the table's Delta log`);
    }
    const bytes = await storage.read(commit.path);
    if (!bytes) throw new CorruptLogError(`${commit.path} disappeared while reading the log`);
    const actions = parseCommit(bytes, commit.path);
    const version = commit.version;
    let info: CommitInfo | undefined;
    let hasCdc = false;
    for (const action of actions) {
      if (action.kind === "commitInfo") info ??= action.commitInfo;
      if (action.kind === "cdc") hasCdc = true;
      if (options.mode === "cdf" && action.kind === "metaData" && !changeDataFeedEnabled(action.metaData)) {
        throw notRecorded(version, from, to);
      }
    }
    let timestamp = commit.timestamp;
    if (usesInCommitTimestamp(options.ict, version)) {
      if (typeof info?.inCommitTimestamp !== "number") {
        throw new CorruptLogError(`${commit.path}: no inCommitTimestamp in a table that records them`);
      }
      timestamp = info.inCommitTimestamp;
    }
    const skipFiles = options.mode === "cdf" && !hasCdc && noOpMerge(info);
    const items: ChangeItem[] = [];
    for (const action of actions) {
      switch (action.kind) {
        case "metaData":
          if (options.includeMetadata && version > historyAfter) items.push(action);
          break;
        case "protocol":
          if (options.includeProtocol && version > historyAfter) items.push(action);
          break;
        case "cdc":
          if (options.mode === "cdf") items.push(action);
          break;
        case "add":
          if (!skipFiles && action.add.dataChange && !(options.mode === "cdf" && hasCdc)) items.push(action);
          break;
        case "remove":
          if (!skipFiles && action.remove.dataChange && !(options.mode === "cdf" && hasCdc))
            items.push(action);
          break;
        default:
          break;
      }
    }
    yield { version, timestamp, items };
  }
  const last = commits[commits.length - 1];
  if (last !== undefined && last.version < to) {
    throw new VersionNotFoundError(`version ${last.version + 1} is missing from the table's Delta log`);
  }
}
