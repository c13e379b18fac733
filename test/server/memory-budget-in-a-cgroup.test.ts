// The server inside a memory cgroup, as in a pod: in 512 MiB it serves a 100k-file table and
// refuses a 1M-file one (beyond its budget there) with a retryable error, a metric and a log line
// naming the table, while it keeps serving the others; in 1 GiB, the operator's default limit, it
// serves the 1M-file table. One request never kills it.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { stringify } from "yaml";
import { generateManyFiles } from "../fixtures/tables.ts";
import { createMemoryCgroup, type MemoryCgroup, memoryCgroupUnavailable } from "../ground/memoryCgroup.ts";
import { repoRoot } from "../ground/paths.ts";
import { freePort } from "../ground/ports.ts";
import { type RunningProcess, startProcess } from "../ground/process.ts";

const mib = 1024 * 1024;
const sizes = { files_100k: 100_000, files_1m: 1_000_000 };
const unavailable = memoryCgroupUnavailable();

/** Answers a /query with its status, and for a 200 the number of file lines, counted as they stream. */
async function query(base: string, table: string) {
  const response = await fetch(`${base}/shares/s/schemas/d/tables/${table}/query`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
    signal: AbortSignal.timeout(600_000),
  });
  if (response.status !== 200) {
    const body = (await response.json()) as { errorCode?: string; message?: string };
    return { status: response.status, headers: response.headers, body, files: 0 };
  }
  let files = 0;
  let tail = "";
  const decoder = new TextDecoder();
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    const text = tail + decoder.decode(chunk, { stream: true });
    const lines = text.split("\n");
    tail = lines.pop() ?? "";
    for (const line of lines) if (line.startsWith('{"file"')) files++;
  }
  return {
    status: 200,
    headers: response.headers,
    body: {} as { errorCode?: string; message?: string },
    files,
  };
}

interface ServerInCgroup {
  base: string;
  process: RunningProcess;
  cgroup: MemoryCgroup;
  stop: () => Promise<void>;
}

/** Starts the server as a container would run it: inside the cgroup from its first instruction. */
async function startInCgroup(name: string, limitBytes: number, configPath: string, port: number) {
  const cgroup = await createMemoryCgroup(`dso-test-${process.pid}-${name}`, limitBytes);
  const server = await startProcess({
    name: `server in ${name} cgroup`,
    command: "bash",
    args: [
      "-c",
      `echo $$ > ${cgroup.procsFile} && exec "${process.execPath}" server/main.ts --config ${configPath}`,
    ],
    cwd: repoRoot,
    ready: (output) => output.includes("sharing server listening"),
    readyTimeoutMs: 60_000,
  });
  return {
    base: `http://127.0.0.1:${port}/delta-sharing`,
    process: server,
    cgroup,
    stop: async () => {
      await server.stop();
      await cgroup.remove().catch(() => {});
    },
  } satisfies ServerInCgroup;
}

describe("memory budget in a memory cgroup", { skip: unavailable }, () => {
  let dir: string;
  let configPath: string;
  let port: number;
  let opsPort: number;
  const running: ServerInCgroup[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-cgroup-"));
    for (const [name, files] of Object.entries(sizes)) {
      await generateManyFiles(join(dir, name), files, { links: "none", json: false, timeoutMs: 900_000 });
    }
    port = await freePort();
    opsPort = await freePort();
    configPath = join(dir, "server.yaml");
    const tables = Object.keys(sizes).map((name) => ({ name, location: join(dir, name) }));
    await writeFile(
      configPath,
      stringify({
        version: 1,
        host: "127.0.0.1",
        port,
        ops: { host: "127.0.0.1", port: opsPort },
        allowAnonymous: true,
        requestTimeoutSeconds: 0,
        shares: [{ name: "s", schemas: [{ name: "d", tables }] }],
      }),
    );
  });

  after(async () => {
    for (const server of running) await server.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("in 512 MiB: serves 100k files, refuses 1M with a retryable error, a metric and a log line, and keeps serving", async () => {
    const server = await startInCgroup("512mi", 512 * mib, configPath, port);
    running.push(server);
    const small = await query(server.base, "files_100k");
    assert.equal(small.status, 200);
    assert.equal(small.files, sizes.files_100k);

    const beyond = await query(server.base, "files_1m");
    assert.equal(beyond.status, 503);
    assert.equal(beyond.body.errorCode, "RESOURCE_EXHAUSTED");
    assert.match(beyond.body.message ?? "", /table s\.d\.files_1m needs about \d+ MiB/);
    assert.ok(Number(beyond.headers.get("retry-after")) > 0, "the refusal says when to retry");

    const again = await query(server.base, "files_100k");
    assert.equal(again.status, 200);
    assert.equal(again.files, sizes.files_100k);

    const metrics = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
    assert.match(metrics, /delta_sharing_memory_refusals_total\{table="s\.d\.files_1m"\} 1/);
    assert.match(server.process.output(), /"table":"s\.d\.files_1m".*needs about/);
    assert.equal(server.process.child.exitCode, null, "the server is still running");
    assert.equal(await server.cgroup.oomKills(), 0, "the kernel never had to kill anything in the cgroup");
    await server.stop();
  });

  test("in 1 GiB (the operator's default limit): serves 1M files", async () => {
    const server = await startInCgroup("1gi", 1024 * mib, configPath, port);
    running.push(server);
    const million = await query(server.base, "files_1m");
    assert.equal(million.status, 200);
    assert.equal(million.files, sizes.files_1m);
    assert.equal(server.process.child.exitCode, null, "the server is still running");
    assert.equal(await server.cgroup.oomKills(), 0, "the kernel never had to kill anything in the cgroup");
  });
});
