// Where test/ground/hadolint/install.sh leaves hadolint; the version is read from that script, the
// one place it is pinned.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cachePath, repoRoot } from "./paths.ts";

const script = readFileSync(join(repoRoot, "test", "ground", "hadolint", "install.sh"), "utf8");
export const hadolintVersion = /^version=(\S+)$/m.exec(script)?.[1] ?? "unknown";

export function hadolintBinary(): string {
  const path = cachePath(`hadolint-${hadolintVersion}`, "bin", "hadolint");
  if (!existsSync(path)) throw new Error(`${path} is missing: run test/ground/hadolint/install.sh first`);
  return path;
}
