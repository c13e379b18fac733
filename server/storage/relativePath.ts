// Resolving table-relative paths without ever leaving the table root.
import { posix } from "node:path";

/** Normalises a relative path; refuses absolute paths, '..' escapes, NUL and backslashes. */
export function safeRelativePath(path: string): string | undefined {
  if (path.includes("\0") || path.includes("\\") || path.startsWith("/")) return undefined;
  const normalised = posix.normalize(path);
  if (normalised === "." || normalised.startsWith("../") || normalised === "..") return undefined;
  return normalised;
}
