// Where the test ground keeps its tools: builds and downloads live in a cache outside the
// repository, keyed by version, so a second run on the same machine skips them.
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export const cacheRoot = process.env.DSO_CACHE ?? join(homedir(), ".cache", "delta-sharing-operator");

export function cachePath(...parts: string[]): string {
  return join(cacheRoot, ...parts);
}
