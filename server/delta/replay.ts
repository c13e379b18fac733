// Replays actions onto a snapshot under construction: adds and removes reconciled by path and
// deletion vector, the newest protocol and metadata kept.
import type { Action, CommitInfo, TableMetadata, TableProtocol } from "./actions.ts";
import type { FileChanges } from "./activeFiles.ts";
import { fileKey } from "./fileKey.ts";

export interface ReplayState {
  files: FileChanges;
  protocol?: TableProtocol;
  metadata?: TableMetadata;
  timestamp?: number;
}

export function commitTimestamp(info: CommitInfo): number | undefined {
  const value = info.inCommitTimestamp ?? info.timestamp;
  return typeof value === "number" ? value : undefined;
}

export function applyAction(state: ReplayState, action: Action): void {
  switch (action.kind) {
    case "add":
      state.files.add(action.add);
      return;
    case "remove":
      state.files.remove(fileKey(action.remove));
      return;
    case "metaData":
      state.metadata = action.metaData;
      return;
    case "protocol":
      state.protocol = action.protocol;
      return;
    case "commitInfo": {
      const timestamp = commitTimestamp(action.commitInfo);
      if (timestamp !== undefined) state.timestamp = timestamp;
      return;
    }
    default:
      return;
  }
}
