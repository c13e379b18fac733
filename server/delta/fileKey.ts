// The reconciliation key of the Delta protocol: a file is its path plus its deletion vector.
import type { DeletionVectorDescriptor } from "./actions.ts";

/**
 * A logged path as Delta's log replay compares it: an absolute path without scheme is the local
 * file system's (`/x` is `file:/x`, as is `file:///x`); anything else is compared as logged.
 */
function canonicalPath(path: string): string {
  if (path.startsWith("/")) return `file:${path}`;
  if (path.startsWith("file:///")) return `file:/${path.slice("file:///".length)}`;
  return path;
}

export function fileKey(file: {
  path: string;
  deletionVector?: DeletionVectorDescriptor | undefined;
}): string {
  const dv = file.deletionVector;
  const path = canonicalPath(file.path);
  if (!dv) return path;
  return `${path}\0${dv.storageType}${dv.pathOrInlineDv}${dv.offset === undefined ? "" : `@${dv.offset}`}`;
}
