// The protocol and metadata of a table at one version, without its file list: what a change data
// feed or a streaming query needs about the version it starts at, at the cost of the checkpoint's
// protocol and metadata columns plus the commits after it, not of a whole snapshot.
import type { TableStorage } from "../storage/storage.ts";
import type { TableMetadata, TableProtocol } from "./actions.ts";
import { readParquetCheckpoint } from "./checkpointReader.ts";
import { CorruptLogError } from "./parseActions.ts";
import type { Snapshot } from "./snapshot.ts";
import { listLog, readCommitActions, usableCheckpoint, VersionNotFoundError } from "./snapshotLoader.ts";

export interface TableState {
  version: number;
  protocol: TableProtocol;
  metadata: TableMetadata;
}

const stateColumns = ["metaData", "protocol"] as const;

export async function stateAtVersion(
  storage: TableStorage,
  version: number,
  latest: Snapshot,
): Promise<TableState> {
  if (version === latest.version) return latest;
  if (version > latest.version) {
    throw new VersionNotFoundError(`version ${version} does not exist; the newest is ${latest.version}`);
  }
  const listing = await listLog(storage, 0);
  const checkpoint = usableCheckpoint(listing, version);
  const state: { protocol?: TableProtocol; metadata?: TableMetadata } = {};
  const from = (checkpoint?.[0]?.version ?? -1) + 1;
  if (!checkpoint && !listing.commits.has(0)) {
    throw new VersionNotFoundError(`version ${version} can no longer be reconstructed from the log`);
  }
  for (const file of checkpoint ?? []) {
    const items =
      file.kind === "v2checkpoint" && file.format === "json"
        ? await readCommitActions(storage, file)
        : readParquetCheckpoint(storage, file.path, file.size, stateColumns);
    for await (const item of items) {
      if (item.kind === "metaData") state.metadata = item.metaData;
      if (item.kind === "protocol") state.protocol = item.protocol;
    }
  }
  for (let next = from; next <= version; next++) {
    const file = listing.commits.get(next);
    if (!file) throw new VersionNotFoundError(`version ${next} is no longer in the table's Delta log`);
    for (const action of await readCommitActions(storage, file)) {
      if (action.kind === "metaData") state.metadata = action.metaData;
      if (action.kind === "protocol") state.protocol = action.protocol;
    }
  }
  if (!state.protocol || !state.metadata) {
    throw new CorruptLogError(`${storage.location}: no protocol or metadata at version ${version}`);
  }
  return { version, protocol: state.protocol, metadata: state.metadata };
}
