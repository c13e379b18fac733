// Configuration changes applied while a real server process serves a steady load: the file is
// mounted the way Kubernetes mounts a Secret (server.yaml -> ..data/server.yaml, ..data -> a
// timestamped folder, updated by swapping the ..data symlink), and also edited in place (seen by
// polling). Every change is applied without a failed request; a broken change is refused with a
// clear log line and a metric while the previous configuration keeps serving.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { stringify } from "yaml";
import { writeFixtureTables } from "../fixtures/tables.ts";
import { repoRoot } from "../ground/paths.ts";
import { freePort } from "../ground/ports.ts";
import { type RunningProcess, startProcess } from "../ground/process.ts";
import { waitUntil } from "../ground/wait.ts";
import { assertNoSecrets } from "./recipients/audit.ts";

const newToken = () => randomBytes(32).toString("base64url");
const hash = (token: string) => createHash("sha256").update(token).digest("hex");

describe("configuration hot reload under load", () => {
  let dir: string;
  let mount: string;
  let server: RunningProcess;
  let base: string;
  let opsBase: string;
  let version = 0;
  const tokens = { alice: newToken(), bob: newToken() };
  let tables: string;

  const config = (changes: { comment: string; withBob?: boolean; interval?: number; extra?: object }) => ({
    version: 1,
    host: "127.0.0.1",
    port: Number(new URL(base).port),
    ops: { host: "127.0.0.1", port: Number(new URL(opsBase).port) },
    configReloadIntervalSeconds: changes.interval ?? 0,
    audit: { destination: "file", file: join(dir, "audit.log") },
    limits: { rateLimit: { requestsPerSecond: 0 } },
    shares: [
      {
        name: "sales",
        comment: changes.comment,
        schemas: [{ name: "s", tables: [{ name: "small", location: join(tables, "small") }] }],
      },
    ],
    recipients: [
      { name: "alice", tokens: [{ sha256: hash(tokens.alice) }], shares: ["sales"] },
      ...(changes.withBob
        ? [{ name: "bob", tokens: [{ sha256: hash(tokens.bob) }], shares: ["sales"] }]
        : []),
    ],
    ...changes.extra,
  });

  /** What the kubelet does on a Secret update: a new folder, then an atomic swap of ..data. */
  async function swapIn(text: string): Promise<void> {
    version++;
    const folder = `..2026_01_01_00_00_${String(version).padStart(2, "0")}`;
    await mkdir(join(mount, folder));
    await writeFile(join(mount, folder, "server.yaml"), text);
    await symlink(folder, join(mount, "..data_tmp"));
    await rename(join(mount, "..data_tmp"), join(mount, "..data"));
    if (version > 1)
      await rm(join(mount, `..2026_01_01_00_00_${String(version - 1).padStart(2, "0")}`), {
        recursive: true,
      });
  }

  const get = (token: string, path: string, init: RequestInit = {}) =>
    fetch(`${base}/delta-sharing${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) },
      signal: AbortSignal.timeout(10_000),
    });

  const metric = async (pattern: RegExp) => {
    const text = await (await fetch(`${opsBase}/metrics`)).text();
    const line = text.split("\n").find((candidate) => pattern.test(candidate));
    return line === undefined ? 0 : Number(line.split(" ").at(-1));
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-reload-"));
    tables = join(dir, "tables");
    mount = join(dir, "secret");
    await mkdir(mount);
    const [port, opsPort] = await Promise.all([freePort(), freePort(), writeFixtureTables(tables)]);
    base = `http://127.0.0.1:${port}`;
    opsBase = `http://127.0.0.1:${opsPort}`;
    await swapIn(stringify(config({ comment: "v0" })));
    await symlink(join("..data", "server.yaml"), join(mount, "server.yaml"));
    server = await startProcess({
      name: "sharing-server",
      command: process.execPath,
      args: [join(repoRoot, "server", "main.ts"), "--config", join(mount, "server.yaml")],
      ready: async () => (await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2000) })).ok,
      readyTimeoutMs: 30_000,
    });
  });

  after(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test("symlink swaps and in-place edits apply under load with zero failed requests; a broken change is refused", async () => {
    let running = true;
    let requests = 0;
    const failures: string[] = [];
    const worker = async (id: number) => {
      while (running) {
        const kind = (requests + id) % 3;
        const response =
          kind === 0
            ? await get(tokens.alice, "/shares/sales")
            : kind === 1
              ? await get(tokens.alice, "/shares/sales/schemas/s/tables/small/query", {
                  method: "POST",
                  body: "{}",
                })
              : await get(tokens.alice, "/shares/sales/schemas/s/tables/small/metadata");
        const body = await response.text();
        requests++;
        if (response.status !== 200) failures.push(`${response.status} ${body.slice(0, 200)}`);
      }
    };
    const load = [0, 1, 2, 3].map((id) =>
      worker(id).catch((error: unknown) => {
        failures.push(String(error));
      }),
    );
    const comment = async () =>
      ((await (await get(tokens.alice, "/shares/sales")).json()) as { share: { comment?: string } }).share
        .comment;
    try {
      assert.equal((await get(tokens.bob, "/shares")).status, 401);
      for (let i = 1; i <= 5; i++) {
        await swapIn(stringify(config({ comment: `v${i}`, withBob: i >= 2 })));
        await waitUntil(async () => (await comment()) === `v${i}`, {
          timeoutMs: 10_000,
          what: `version ${i} applied`,
        });
      }
      assert.equal((await get(tokens.bob, "/shares")).status, 200, "bob, added by a reload, is let in");

      const refusedBefore = await metric(/^delta_sharing_config_reloads_total\{result="refused"\}/);
      await swapIn(stringify({ ...config({ comment: "broken", withBob: false }), recipents: [] }));
      await waitUntil(() => server.output().includes("configuration change refused"), {
        timeoutMs: 10_000,
        what: "the refusal's log line",
      });
      const line =
        server
          .output()
          .split("\n")
          .find((l) => l.includes("configuration change refused")) ?? "";
      assert.match(JSON.parse(line).reason, /server\.yaml:\d+:\d+: recipents is not a known key/);
      assert.equal(
        await metric(/^delta_sharing_config_reloads_total\{result="refused"\}/),
        refusedBefore + 1,
      );
      assert.equal(await metric(/^delta_sharing_config_last_reload_successful /), 0);
      assert.equal(await comment(), "v5", "the previous configuration keeps serving");
      assert.equal((await get(tokens.bob, "/shares")).status, 200);

      // a fixed file, then an in-place edit the folder watch cannot see: polling picks it up
      await swapIn(stringify(config({ comment: "v6", withBob: true, interval: 1 })));
      await waitUntil(async () => (await comment()) === "v6", {
        timeoutMs: 10_000,
        what: "the fixed version",
      });
      await writeFile(
        join(mount, "..data", "server.yaml"),
        stringify(config({ comment: "v7", interval: 1 })),
      );
      await waitUntil(async () => (await comment()) === "v7", {
        timeoutMs: 10_000,
        what: "the in-place edit",
      });
      assert.equal((await get(tokens.bob, "/shares")).status, 401, "bob, removed by a reload, is refused");
      assert.equal(await metric(/^delta_sharing_config_last_reload_successful /), 1);
      assert.equal(await metric(/^delta_sharing_config_reloads_total\{result="applied"\}/), 7);
    } finally {
      running = false;
      await Promise.all(load);
    }
    console.log(`# ${requests} requests during the reloads`);
    assert.deepEqual(failures, []);
    assert.ok(requests > 100, `only ${requests} requests ran`);
    assert.equal(server.child.exitCode, null, "the server is still running");
  });

  test("no token or hash in the process's output or the audit file", async () => {
    await server.stop();
    const audit = await readFile(join(dir, "audit.log"), "utf8");
    assert.match(audit, /"recipient":"bob"/);
    assertNoSecrets({ "server output": server.output(), "audit log": audit }, [tokens.alice, tokens.bob]);
  });
});
