// Where test/ground/lua/install.sh leaves lua-health (an Argo CD health script run on gopher-lua),
// named by the hash of its sources as the script names it.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cachePath, repoRoot } from "./paths.ts";

export function luaHealthBinary(): string {
  const sources = join(repoRoot, "test", "ground", "lua");
  const hash = createHash("sha256");
  for (const name of ["go.mod", "go.sum", "main.go"]) hash.update(readFileSync(join(sources, name)));
  const path = cachePath(`lua-health-${hash.digest("hex").slice(0, 16)}`, "lua-health");
  if (!existsSync(path)) throw new Error(`${path} is missing: run test/ground/lua/install.sh first`);
  return path;
}
