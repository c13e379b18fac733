// The image as the Dockerfile builds it, for tests that run its processes: replayed once per
// content of the build (Dockerfile, .dockerignore, context files, Node version) and kept in the
// cache, so the tests after the first reuse it. The test of the build itself replays afresh.
import { createHash } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { cachePath, repoRoot } from "../ground/paths.ts";
import { waitUntil } from "../ground/wait.ts";
import { contextFiles } from "./dockerignore.ts";
import { type ImageConfig, replayBuild } from "./replayBuild.ts";

export interface BuiltImage {
  root: string;
  config: ImageConfig;
}

export const dockerfilePath = join(repoRoot, "Dockerfile");

async function buildKey(): Promise<string> {
  const hash = createHash("sha256").update(process.version);
  for (const name of ["Dockerfile", ".dockerignore"])
    hash.update(name).update(await readFile(join(repoRoot, name)));
  for (const file of await contextFiles(repoRoot))
    hash.update(file).update(await readFile(join(repoRoot, file)));
  return hash.digest("hex").slice(0, 16);
}

/** Takes an exclusive lock file, waiting a bounded time for another test process holding it. */
async function withLock<T>(path: string, work: () => Promise<T>): Promise<T> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  await waitUntil(
    async () => {
      try {
        handle = await open(path, "wx");
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        // a holder that died long ago leaves its lock behind
        const age = Date.now() - (await stat(path).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
        if (age > 15 * 60_000) await rm(path, { force: true });
        return false;
      }
    },
    { timeoutMs: 15 * 60_000, intervalMs: 500, what: `the image build lock ${path}` },
  );
  try {
    return await work();
  } finally {
    await handle?.close();
    await rm(path, { force: true });
  }
}

export async function cachedImage(): Promise<BuiltImage> {
  const base = cachePath("image-replay");
  await mkdir(base, { recursive: true });
  const key = await buildKey();
  const dir = join(base, key);
  const configPath = join(dir, "image-config.json");
  return withLock(join(base, "build.lock"), async () => {
    const existing = await readFile(configPath, "utf8").catch(() => undefined);
    if (existing !== undefined) return JSON.parse(existing) as BuiltImage;
    for (const stale of await readdir(base)) {
      if (stale !== "build.lock") await rm(join(base, stale), { recursive: true, force: true });
    }
    const building = `${dir}.partial`;
    await mkdir(building, { recursive: true });
    const image = await replayBuild({ contextDir: repoRoot, dockerfilePath, outDir: building });
    await rename(building, dir);
    const built: BuiltImage = { root: image.root.replace(building, dir), config: image.config };
    await writeFile(configPath, JSON.stringify(built));
    return built;
  });
}
