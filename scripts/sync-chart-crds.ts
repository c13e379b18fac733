// Copies the generated CRDs (crds/, from operator/api/) into the Helm chart, which can only package
// files beneath its own folder: `node scripts/sync-chart-crds.ts`. A test checks the two agree.
import { copyFile, readdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const crdsDir = join(root, "crds");
export const chartCrdsDir = join(root, "charts", "delta-sharing-operator", "crds");

export async function yamlFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith(".yaml")).sort();
}

if (import.meta.main) {
  const sources = await yamlFiles(crdsDir);
  for (const stale of await yamlFiles(chartCrdsDir)) {
    if (!sources.includes(stale)) await rm(join(chartCrdsDir, stale));
  }
  for (const name of sources) {
    await copyFile(join(crdsDir, name), join(chartCrdsDir, name));
    process.stdout.write(`copied crds/${name}\n`);
  }
}
