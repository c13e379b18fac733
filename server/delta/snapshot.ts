// A table snapshot: the state of a Delta table at one version, after log replay.
import type { AddFile, RemoveFile, TableMetadata, TableProtocol } from "./actions.ts";

export interface Snapshot {
  version: number;
  /** Commit time of `version` in epoch ms, when the log records it. */
  timestamp?: number;
  protocol: TableProtocol;
  metadata: TableMetadata;
  /** Active files keyed by path and deletion-vector id, as the Delta protocol reconciles them. */
  files: ReadonlyMap<string, AddFile>;
}

/**
 * A logged path as Delta's log replay compares it: an absolute path without scheme is the local
 * file system's (`/x` is `file:/x`, as is `file:///x`); anything else is compared as logged.
 */
function canonicalPath(path: string): string {
  if (path.startsWith("/")) return `file:${path}`;
  if (path.startsWith("file:///")) return `file:/${path.slice("file:///".length)}`;
  return path;
}

/** The reconciliation key of the Delta protocol: a file is its path plus its deletion vector. */
export function fileKey(file: AddFile | RemoveFile): string {
  const dv = file.deletionVector;
  const path = canonicalPath(file.path);
  if (!dv) return path;
  return `${path}\0${dv.storageType}${dv.pathOrInlineDv}${dv.offset === undefined ? "" : `@${dv.offset}`}`;
}
