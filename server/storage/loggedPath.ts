// The one place where a path logged in a Delta table (add, remove and cdc paths, 'p' deletion
// vectors, absolute paths of shallow clones) becomes a storage key. Per delta-io/delta PROTOCOL.md
// such a path is a URI: it is percent-decoded once, byte-exact, and never normalised, since S3 keys
// like `a//b` or `a/./b` are distinct objects. Relative paths are keys under the table root;
// absolute ones are served only under the table root or an extra root the table's config lists.
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** A decoded key under one of a table's roots: 0 is the table root, i the i-th extra root. */
export interface FileAddress {
  root: number;
  key: string;
}

export class PathRefusedError extends Error {
  readonly path: string;
  constructor(path: string, reason: string) {
    super(`${reason}: ${path}`);
    this.name = "PathRefusedError";
    this.path = path;
  }
}

const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/** A table location from the config as a decoded root URI ending in '/': `s3://bucket/prefix/`, `file:/dir/`. */
export function rootUri(location: string): string {
  const s3 = /^s3[an]?:\/\/(.*)$/.exec(location);
  if (s3) return `s3://${(s3[1] ?? "").replace(/\/+$/, "")}/`;
  const path = location.startsWith("file:") ? fileURLToPath(location) : resolve(location);
  return `file:${path.replace(/\/+$/, "")}/`;
}

/** An absolute logged path in the root URI spelling: one scheme for s3/s3a/s3n, `file:/` for local paths. */
function absoluteForm(path: string): string {
  if (path.startsWith("/")) return `file:${path}`;
  if (path.startsWith("file:///")) return `file:/${path.slice("file:///".length)}`;
  if (path.startsWith("file://localhost/")) return `file:/${path.slice("file://localhost/".length)}`;
  return path.replace(/^s3[an]?:\/\//, "s3://");
}

function decode(path: string, text: string): string {
  if (!text.includes("%")) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    throw new PathRefusedError(path, "the logged path is not a valid URI");
  }
}

function checkKey(path: string, key: string): string {
  if (key === "" || key.startsWith("/") || key.includes("\0")) {
    throw new PathRefusedError(path, "the logged path does not name a file under the table");
  }
  if (key.includes("..") && key.split("/").includes("..")) {
    throw new PathRefusedError(path, "the logged path escapes the table's location");
  }
  return key;
}

/** Whether a logged path names its file by absolute path or URI rather than under the table root. */
export function isAbsolute(logged: string): boolean {
  return logged.startsWith("/") || scheme.test(logged);
}

/**
 * The storage address of a logged path. `roots` are root URIs (see rootUri), the table's first.
 * Throws PathRefusedError for paths that escape, lie outside every root, or are not URIs.
 */
export function addressOf(logged: string, roots: readonly string[]): FileAddress {
  if (!isAbsolute(logged)) return { root: 0, key: checkKey(logged, decode(logged, logged)) };
  const uri = decode(logged, absoluteForm(logged));
  for (let root = 0; root < roots.length; root++) {
    const prefix = roots[root] as string;
    if (uri.startsWith(prefix)) return { root, key: checkKey(logged, uri.slice(prefix.length)) };
  }
  throw new PathRefusedError(logged, "the logged path lies outside the table's location and extra roots");
}

/** A key the server derived itself (log files, 'u' deletion vectors): checked, not decoded. */
export function checkedKey(key: string): string {
  return checkKey(key, key);
}
