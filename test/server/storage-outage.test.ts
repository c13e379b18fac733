// S3 stopped and started again under load, against a real server process: while it is down, the
// requests that need it get a retryable JSON error (503, or 429 when throttled) with Retry-After,
// requests that do not need it keep working, /readyz turns false, and the process never crashes;
// when S3 is back, service resumes by itself, the official Python client having ridden through the
// outage on its own retries, and memory stays flat over repeated outages.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { stringify } from "yaml";
import { loadWithClient } from "../fixtures/recipient.ts";
import { type Expected, sortRows, writeFixtureTables } from "../fixtures/tables.ts";
import { repoRoot } from "../ground/paths.ts";
import { freePort } from "../ground/ports.ts";
import { type RunningProcess, startProcess } from "../ground/process.ts";
import { type S3Ground, startS3 } from "../ground/s3.ts";
import { waitUntil } from "../ground/wait.ts";
import { assertNoSecrets } from "./recipients/audit.ts";

const bucket = "outage";
const outages = 3;
const token = randomBytes(32).toString("base64url");

interface Tally {
  byStatus: Map<string, number>;
  unexpected: string[];
}

describe("storage outage under load", () => {
  let dir: string;
  let s3: S3Ground;
  let server: RunningProcess;
  let base: string;
  let opsBase: string;
  let expected: Expected;
  let profile: string;

  const get = (path: string, init: RequestInit = {}) =>
    fetch(`${base}/delta-sharing${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) },
      signal: AbortSignal.timeout(20_000),
    });

  const requests: [string, string, RequestInit?][] = [
    ["s3", "/shares/cloud/schemas/s/tables/small/query", { method: "POST", body: "{}" }],
    ["s3", "/shares/cloud/schemas/s/tables/partitioned/metadata"],
    ["s3", "/shares/cloud/schemas/s/tables/small/version"],
    ["none", "/shares/cloud/schemas/s/tables"],
    ["local", "/shares/local/schemas/s/tables/small/query", { method: "POST", body: "{}" }],
  ];

  /** Runs the request mix with a few workers until stop() and tallies what came back. */
  function load(allowed: (needs: string, status: number) => boolean) {
    const tally: Tally = { byStatus: new Map(), unexpected: [] };
    let running = true;
    const worker = async (id: number) => {
      for (let i = id; running; i++) {
        const [needs, path, init] = requests[i % requests.length] as (typeof requests)[number];
        try {
          const response = await get(path, init);
          const body = await response.text();
          const key = `${needs}:${response.status}`;
          tally.byStatus.set(key, (tally.byStatus.get(key) ?? 0) + 1);
          if (!allowed(needs, response.status)) tally.unexpected.push(`${key} ${path} ${body.slice(0, 200)}`);
          if (response.status === 503 || response.status === 429) {
            assert.ok(
              Number(response.headers.get("retry-after")) >= 1,
              "a retryable error says when to retry",
            );
            const error = JSON.parse(body) as { errorCode: string };
            assert.ok(["TEMPORARILY_UNAVAILABLE", "RESOURCE_EXHAUSTED"].includes(error.errorCode), body);
          }
        } catch (error) {
          tally.unexpected.push(`no answer for ${path}: ${String(error)}`);
        }
      }
    };
    const workers = [0, 1, 2].map(worker);
    return {
      tally,
      stop: async () => {
        running = false;
        await Promise.all(workers);
        return tally;
      },
    };
  }

  const metric = async (name: string) => {
    const text = await (await fetch(`${opsBase}/metrics`)).text();
    const line = text.split("\n").find((candidate) => candidate.startsWith(`${name} `));
    return Number(line?.split(" ")[1]);
  };
  /** The lowest heap use seen over a period of load: what survives collections, without forcing one. */
  const lowestHeap = async (ms: number) => {
    let lowest = Number.POSITIVE_INFINITY;
    for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) {
      lowest = Math.min(lowest, await metric("nodejs_heap_size_used_bytes"));
    }
    return lowest;
  };
  const readyStatus = async () =>
    (await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(10_000) })).status;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-outage-"));
    [expected, s3] = await Promise.all([writeFixtureTables(join(dir, "tables")), startS3()]);
    await s3.createBucket(bucket);
    await s3.uploadDirectory(join(dir, "tables"), bucket, "tables");
    const [port, opsPort] = await Promise.all([freePort(), freePort()]);
    base = `http://127.0.0.1:${port}`;
    opsBase = `http://127.0.0.1:${opsPort}`;
    const configPath = join(dir, "server.yaml");
    const table = (name: string, root: string) => ({ name, location: `${root}/${name}` });
    await writeFile(
      configPath,
      stringify({
        version: 1,
        host: "127.0.0.1",
        port,
        ops: { host: "127.0.0.1", port: opsPort },
        s3: { endpoint: s3.endpoint, forcePathStyle: true, region: s3.region },
        audit: { destination: "file", file: join(dir, "audit.log") },
        limits: { rateLimit: { requestsPerSecond: 0 } },
        shares: [
          {
            name: "cloud",
            schemas: [
              { name: "s", tables: ["small", "partitioned"].map((n) => table(n, `s3://${bucket}/tables`)) },
            ],
          },
          { name: "local", schemas: [{ name: "s", tables: [table("small", join(dir, "tables"))] }] },
        ],
        recipients: [
          {
            name: "alice",
            tokens: [{ sha256: createHash("sha256").update(token).digest("hex") }],
            shares: ["cloud", "local"],
          },
        ],
      }),
    );
    profile = join(dir, "alice.share");
    await writeFile(
      profile,
      JSON.stringify({ shareCredentialsVersion: 1, endpoint: `${base}/delta-sharing`, bearerToken: token }),
    );
    server = await startProcess({
      name: "sharing-server",
      command: process.execPath,
      // a bounded old generation: collections run often enough to see the live heap, and a leak
      // across outages would end in an out-of-memory crash
      args: ["--max-old-space-size=128", join(repoRoot, "server", "main.ts"), "--config", configPath],
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: s3.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
        AWS_REGION: s3.region,
      },
      ready: async () => (await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(5000) })).ok,
      readyTimeoutMs: 30_000,
    });
  });

  after(async () => {
    await server?.stop();
    await s3?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test("retryable errors while S3 is down, full service after, no crash, memory flat", {
    timeout: 240_000,
  }, async () => {
    const healthy = (_needs: string, status: number) => status === 200;
    const warm = load(healthy);
    await sleep(1000);
    const liveHeap = [await lowestHeap(2000)];
    assert.deepEqual((await warm.stop()).unexpected, []);

    for (let outage = 1; outage <= outages; outage++) {
      await s3.down();
      // storage-bound requests: only retryable errors (or 200 from a request that beat the outage)
      const during = load((needs, status) =>
        needs === "s3" ? [200, 429, 503].includes(status) : status === 200,
      );
      await waitUntil(async () => (await readyStatus()) === 503, {
        timeoutMs: 15_000,
        what: "/readyz to turn false",
      });
      // the official client, started mid-outage, retries until S3 is back
      const reader = outage === 1 ? loadWithClient(profile, "cloud.s.small") : undefined;
      await sleep(3000);
      const down = await during.stop();
      assert.deepEqual(down.unexpected, [], `outage ${outage}`);
      assert.ok((down.byStatus.get("s3:503") ?? 0) > 0, `retryable errors in outage ${outage}`);
      assert.ok((down.byStatus.get("local:200") ?? 0) > 0 && (down.byStatus.get("none:200") ?? 0) > 0);
      assert.equal(server.child.exitCode, null, "the server process is alive");

      await s3.up();
      await waitUntil(async () => (await get(requests[0]?.[1] as string, requests[0]?.[2])).status === 200, {
        timeoutMs: 30_000,
        what: "service to resume",
      });
      await waitUntil(async () => (await readyStatus()) === 200, {
        timeoutMs: 15_000,
        what: "/readyz to turn true",
      });
      const after = load(healthy);
      liveHeap.push(await lowestHeap(2000));
      assert.deepEqual((await after.stop()).unexpected, [], `after outage ${outage}`);
      if (reader) {
        const read = await reader;
        assert.deepEqual(
          sortRows(read.rows),
          sortRows(expected.small.versions[String(expected.small.latestVersion)] ?? []),
        );
      }
    }

    const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
    console.log(`# live heap (lowest of samples under load) per phase: ${liveHeap.map(mib).join(", ")} MiB`);
    const rss = await metric("process_resident_memory_bytes");
    assert.ok(
      (liveHeap.at(-1) as number) - (liveHeap[0] as number) < 32 * 2 ** 20,
      "the live heap stays flat",
    );
    assert.ok(rss < 512 * 2 ** 20, `resident memory ${mib(rss)} MiB`);
    assert.doesNotMatch(server.output(), /"level":(50|60)/, "no error or fatal log line");
  });

  test("no token or URL signature in the process's output", () => {
    assertNoSecrets({ "server output": server.output() }, [token]);
  });
});
