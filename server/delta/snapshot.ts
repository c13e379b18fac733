// A table snapshot: the state of a Delta table at one version, after log replay.
import type { TableMetadata, TableProtocol } from "./actions.ts";
import type { ActiveFiles } from "./activeFiles.ts";

export { fileKey } from "./fileKey.ts";

export interface Snapshot {
  version: number;
  /** Commit time of `version` in epoch ms, when the log records it. */
  timestamp?: number;
  protocol: TableProtocol;
  metadata: TableMetadata;
  /** Active files, reconciled by path and deletion-vector id as the Delta protocol says, in columns. */
  files: ActiveFiles;
}
