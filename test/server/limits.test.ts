// Limits a provider sets in the configuration: a per-recipient rate limit (429 with Retry-After,
// each recipient its own allowance), the request body size (413), and the request timeout: when
// storage accepts connections but never answers, the request gets a retryable 503 in time and
// /readyz turns false, instead of the request hanging.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { startTestServer, type TestServer } from "./harness.ts";

const tokens = { alice: "alice-token-".padEnd(43, "a"), bob: "bob-token-".padEnd(43, "b") };
const hash = (token: string) => createHash("sha256").update(token).digest("hex");

describe("limits: rate, body size and request timeout", () => {
  let server: TestServer;
  let silentStorage: Server;
  const sockets = new Set<Socket>();

  before(async () => {
    // an S3 endpoint that accepts connections and never answers: storage that hangs
    silentStorage = createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silentStorage.listen(0, "127.0.0.1", resolve));
    const address = silentStorage.address();
    assert.ok(address && typeof address === "object");
    process.env.AWS_ACCESS_KEY_ID = "AKIDEXAMPLE";
    process.env.AWS_SECRET_ACCESS_KEY = "secret";
    server = await startTestServer({
      requestTimeoutSeconds: 1,
      limits: { maxRequestBodyBytes: 2048, rateLimit: { requestsPerSecond: 0.5, burst: 3 } },
      s3: { endpoint: `http://127.0.0.1:${address.port}`, forcePathStyle: true, region: "us-east-1" },
      shares: [
        {
          name: "sales",
          schemas: [{ name: "s", tables: [{ name: "hanging", location: "s3://bucket/hanging" }] }],
        },
      ],
      recipients: [
        { name: "alice", tokens: [{ sha256: hash(tokens.alice) }], shares: ["sales"] },
        { name: "bob", tokens: [{ sha256: hash(tokens.bob) }], shares: ["sales"] },
      ],
    });
  });

  after(async () => {
    await server?.stop();
    for (const socket of sockets) socket.destroy();
    silentStorage?.close();
  });

  const as = (token: string, path = "/shares", init: RequestInit = {}) =>
    fetch(`${server.endpoint}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) },
      signal: AbortSignal.timeout(10_000),
    });

  test("past its burst a recipient gets 429 with Retry-After; others keep their own allowance", async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await as(tokens.alice)).status);
    assert.deepEqual(statuses, [200, 200, 200]);
    const limited = await as(tokens.alice);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get("retry-after"), "2");
    assert.deepEqual((await limited.json()) as unknown, {
      errorCode: "RESOURCE_EXHAUSTED",
      message: "too many requests from this recipient; retry later",
    });
    assert.equal((await as(tokens.bob)).status, 200, "bob has his own bucket");
    await sleep(2100);
    assert.equal((await as(tokens.alice)).status, 200, "the allowance refills");
    const metrics = await (await fetch(`${server.opsUrl}/metrics`)).text();
    assert.match(metrics, /^delta_sharing_rate_limited_total\{recipient="alice"\} 1$/m);
  });

  // bob makes one request in each test: within his burst
  test("a body over the limit: 413", async () => {
    const response = await as(tokens.bob, "/shares/sales/schemas/s/tables/hanging/query", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ predicateHints: ["x".repeat(4096)] }),
    });
    assert.equal(response.status, 413);
    assert.equal(((await response.json()) as { errorCode: string }).errorCode, "MALFORMED_REQUEST");
  });

  test("storage that never answers: a retryable 503 within the request timeout, and /readyz false", async () => {
    const started = Date.now();
    const response = await as(tokens.bob, "/shares/sales/schemas/s/tables/hanging/version");
    const elapsed = Date.now() - started;
    assert.equal(response.status, 503);
    assert.equal(response.headers.get("retry-after"), "1");
    assert.deepEqual((await response.json()) as unknown, {
      errorCode: "TEMPORARILY_UNAVAILABLE",
      message: "the answer did not begin within 1 s; retry later",
    });
    assert.ok(elapsed >= 900 && elapsed < 5000, `answered after ${elapsed} ms`);

    const ready = await fetch(`${server.opsUrl}/readyz`, { signal: AbortSignal.timeout(10_000) });
    assert.equal(ready.status, 503);
    const report = (await ready.json()) as {
      ready: boolean;
      storage: { root: string; ok: boolean }[];
    };
    assert.equal(report.ready, false);
    assert.deepEqual(
      report.storage.map((root) => [root.root, root.ok]),
      [["s3://bucket", false]],
    );
    assert.equal((await fetch(`${server.url}/readyz`)).status, 503, "the data port's plain answer agrees");
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200, "alive all the same");
  });
});
