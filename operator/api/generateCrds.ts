// Writes crds/*.yaml from the TypeBox definitions: `node operator/api/generateCrds.ts`.
// A test checks the committed files equal this output, so the two never drift.
import { readdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { crdFiles } from "./crds.ts";

export const crdsDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "crds");

if (import.meta.main) {
  const files = crdFiles();
  for (const existing of await readdir(crdsDir)) {
    if (existing.endsWith(".yaml") && !files.has(existing)) await rm(join(crdsDir, existing));
  }
  for (const [name, text] of files) {
    await writeFile(join(crdsDir, name), text);
    process.stdout.write(`wrote crds/${name}\n`);
  }
}
