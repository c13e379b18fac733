// A memory cgroup of the test's own with a hard limit, as a container runtime would make one:
// cgroup v1's memory controller where it is mounted writable, else cgroup v2 with the memory
// controller enabled. Processes join it by writing their pid to its procs file (as root).
import { existsSync, readFileSync } from "node:fs";
import { appendFile, mkdir, readFile, rmdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface MemoryCgroup {
  /** The file a process writes its pid to in order to join. */
  procsFile: string;
  /** Whether the kernel's OOM killer acted in the group. */
  oomKills: () => Promise<number>;
  remove: () => Promise<void>;
}

const v1Root = "/sys/fs/cgroup/memory";
const v2Roots = ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"];

function v2Root(): string | undefined {
  return v2Roots.find((root) => {
    const controllers = join(root, "cgroup.controllers");
    return existsSync(controllers) && readFileSync(controllers, "utf8").split(/\s+/).includes("memory");
  });
}

/** Why no memory cgroup can be made here, or undefined when one can. */
export function memoryCgroupUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "making a cgroup needs root";
  if (existsSync(join(v1Root, "memory.limit_in_bytes")) || v2Root()) return undefined;
  return "no writable memory cgroup controller (v1 or v2) here";
}

export async function createMemoryCgroup(name: string, limitBytes: number): Promise<MemoryCgroup> {
  if (existsSync(join(v1Root, "memory.limit_in_bytes"))) {
    const dir = join(v1Root, name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "memory.limit_in_bytes"), String(limitBytes));
    // no swap either, where the kernel accounts it: the limit is the limit
    if (existsSync(join(dir, "memory.memsw.limit_in_bytes"))) {
      await writeFile(join(dir, "memory.memsw.limit_in_bytes"), String(limitBytes)).catch(() => {});
    }
    return {
      procsFile: join(dir, "cgroup.procs"),
      oomKills: async () =>
        Number(/oom_kill (\d+)/.exec(await readFile(join(dir, "memory.oom_control"), "utf8"))?.[1] ?? 0),
      remove: () => rmdir(dir),
    };
  }
  const root = v2Root();
  if (!root) throw new Error("no memory cgroup controller");
  await appendFile(join(root, "cgroup.subtree_control"), "+memory").catch(() => {});
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "memory.max"), String(limitBytes));
  if (existsSync(join(dir, "memory.swap.max"))) await writeFile(join(dir, "memory.swap.max"), "0");
  return {
    procsFile: join(dir, "cgroup.procs"),
    oomKills: async () =>
      Number(/oom_kill (\d+)/.exec(await readFile(join(dir, "memory.events"), "utf8"))?.[1] ?? 0),
    remove: () => rmdir(dir),
  };
}
