// Asynchronous queries across replicas that share nothing but their configuration and signing
// key: two real server processes. A query submitted to one and polled (page by page) on the other
// answers what the synchronous query answers, at the version the submission pinned even after the
// table moved on; a retried submission with the same idempotency key is the same query, scoped to
// the recipient; an expired, forged or foreign query id gets the protocol's 404.
import assert from "node:assert/strict";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { stringify } from "yaml";
import { appendRows, type Expected, writeFixtureTables } from "../../fixtures/tables.ts";
import { waitUntil } from "../../ground/wait.ts";
import { type JsonAnswer, readAnswer } from "../ndjsonAnswer.ts";
import { type ServerProcess, startServerProcess } from "../serverProcess.ts";

type Answer = JsonAnswer;

const table = (name: string) => `/shares/sales/schemas/fixtures/tables/${name}`;

async function post(
  server: ServerProcess,
  token: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(`${server.endpoint}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  return readAnswer(response);
}

const nextPageToken = (lines: Record<string, unknown>[]): string | undefined =>
  (lines.at(-1)?.endStreamAction as { nextPageToken?: string } | undefined)?.nextPageToken;

/** A line without what differs between two answers of the same query: URLs and their expiry. */
function comparable(line: Record<string, unknown>): unknown {
  return JSON.parse(JSON.stringify(line), (key, value) =>
    key === "url" || key === "expirationTimestamp" || (key === "path" && String(value).startsWith("http"))
      ? undefined
      : value,
  );
}

/** All lines of a query, page after page: the head lines once, then every file line, sorted. */
function merged(pages: Record<string, unknown>[][]) {
  const [first] = pages;
  const head = (first ?? []).slice(0, 2).map(comparable);
  const files = pages
    .flatMap((page) => page.slice(2).filter((line) => !("endStreamAction" in line)))
    .map((line) => JSON.stringify(comparable(line)))
    .sort();
  return { head, files };
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe("asynchronous queries across two server processes", () => {
  let dir: string;
  let expected: Expected;
  let a: ServerProcess;
  let b: ServerProcess;
  let short: ServerProcess;
  const alice = randomBytes(24).toString("base64url");
  const bob = randomBytes(24).toString("base64url");

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-async-"));
    expected = await writeFixtureTables(join(dir, "tables"));
    await writeFile(join(dir, "signing.key"), randomBytes(32).toString("hex"));
    const config = (extra: Record<string, unknown>) => ({
      version: 1,
      host: "127.0.0.1",
      port: 0,
      ops: { host: "127.0.0.1", port: 0 },
      signingKeyFile: "signing.key",
      audit: { destination: "stderr" },
      recipients: [
        { name: "alice", tokens: [{ sha256: sha256(alice) }], shares: ["sales"] },
        { name: "bob", tokens: [{ sha256: sha256(bob) }], shares: ["sales"] },
      ],
      shares: [
        {
          name: "sales",
          schemas: [
            {
              name: "fixtures",
              tables: [
                { name: "partitioned", location: expected.partitioned.location },
                { name: "small", location: expected.small.location },
                { name: "cdf", location: expected.cdf.location, historyShared: true },
              ],
            },
          ],
        },
      ],
      ...extra,
    });
    await writeFile(join(dir, "server.yaml"), stringify(config({})));
    await writeFile(join(dir, "short.yaml"), stringify(config({ asyncQueryTtlMs: 1000 })));
    [a, b, short] = await Promise.all([
      startServerProcess("replica-a", join(dir, "server.yaml")),
      startServerProcess("replica-b", join(dir, "server.yaml")),
      startServerProcess("short-lived", join(dir, "short.yaml")),
    ]);
  });

  after(async () => {
    await Promise.all([a?.stop(), b?.stop(), short?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function syncPages(path: string, body: Record<string, unknown>, headers: Record<string, string>) {
    const pages: Record<string, unknown>[][] = [];
    let pageToken: string | undefined;
    let version: string | null = null;
    do {
      const answer = await post(
        a,
        alice,
        `${path}/query`,
        { ...body, ...(pageToken ? { pageToken } : {}) },
        headers,
      );
      assert.equal(answer.status, 200, JSON.stringify(answer.error));
      version ??= answer.headers.get("delta-table-version");
      pages.push(answer.lines);
      pageToken = nextPageToken(answer.lines);
    } while (pageToken !== undefined && pages.length < 100);
    return { version, ...merged(pages), pages: pages.length };
  }

  /** Polls on alternating replicas, B first, following the pages. */
  async function asyncPages(path: string, queryId: string, maxFiles?: number) {
    const pages: Record<string, unknown>[][] = [];
    let pageToken: string | undefined;
    let version: string | null = null;
    do {
      const replica = pages.length % 2 === 0 ? b : a;
      const answer = await post(replica, alice, `${path}/queries/${encodeURIComponent(queryId)}`, {
        queryId,
        ...(maxFiles !== undefined ? { maxFiles } : {}),
        ...(pageToken ? { pageToken } : {}),
      });
      assert.equal(answer.status, 200, JSON.stringify(answer.error));
      assert.ok(!("queryStatus" in (answer.lines[0] ?? {})), "a succeeded query has no queryStatus line");
      version ??= answer.headers.get("delta-table-version");
      pages.push(answer.lines);
      pageToken = nextPageToken(answer.lines);
    } while (pageToken !== undefined && pages.length < 100);
    return { version, ...merged(pages), pages: pages.length };
  }

  async function submit(
    server: ServerProcess,
    token: string,
    path: string,
    body: Record<string, unknown>,
    capabilities = "responseformat=parquet;asyncquery=true",
  ) {
    const answer = await post(server, token, `${path}/query`, body, {
      "delta-sharing-capabilities": capabilities,
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.error));
    assert.equal(answer.lines.length, 1, "one queryStatus line");
    const status = answer.lines[0]?.queryStatus as { queryId: string; status: string };
    assert.equal(status.status, "pending");
    assert.match(answer.headers.get("delta-sharing-capabilities") ?? "", /asyncquery=true/);
    return { queryId: status.queryId, version: answer.headers.get("delta-table-version") };
  }

  test("submitted to one replica and polled on the other, page by page, it answers what the synchronous query answers", async () => {
    const body = { predicateHints: ["region IS NOT NULL"], maxFiles: 2 };
    const sync = await syncPages(table("partitioned"), body, {});
    assert.ok(sync.pages > 1, "the query spans pages");
    const submitted = await submit(a, alice, table("partitioned"), { ...body, idempotencyKey: randomUUID() });
    assert.equal(submitted.version, sync.version);
    const polled = await asyncPages(table("partitioned"), submitted.queryId, 2);
    assert.deepEqual(polled, sync);

    // the table moves on; the query still answers the version its submission pinned
    await appendRows(expected.partitioned.location, [
      { id: 500, day: "2024-01-09", region: "eu", amount: 99.5, note: "late" },
    ]);
    const later = await syncPages(table("partitioned"), body, {});
    assert.equal(Number(later.version), Number(sync.version) + 1);
    assert.notDeepEqual(later.files, sync.files);
    assert.deepEqual(await asyncPages(table("partitioned"), submitted.queryId, 2), sync);
  });

  test("a streaming query in the delta format, submitted and polled asynchronously, matches the synchronous one", async () => {
    const capabilities = "responseformat=delta;readerfeatures=deletionvectors";
    const body = { startingVersion: 1 };
    const sync = await syncPages(table("cdf"), body, { "delta-sharing-capabilities": capabilities });
    assert.ok(sync.files.length > 0);
    const submitted = await submit(
      b,
      alice,
      table("cdf"),
      { ...body, idempotency_key: randomUUID() },
      `${capabilities};asyncquery=true`,
    );
    assert.equal(submitted.version, "1", "the header names the answer's starting version");
    const polled = await asyncPages(table("cdf"), submitted.queryId);
    assert.deepEqual(polled, sync);
    assert.ok(polled.head[0] && "deltaProtocol" in (polled.head[0] as { protocol: object }).protocol);
  });

  test("a retried submission with the same idempotency key is one query, for that recipient only", async () => {
    const path = table("small");
    const key = randomUUID();
    const first = await submit(a, alice, path, { limitHint: 5, idempotencyKey: key });
    const retried = await submit(b, alice, path, { limitHint: 5, idempotencyKey: key });
    assert.equal(retried.queryId, first.queryId, "the retry, on the other replica, is the same query");
    const snake = await submit(a, alice, path, { limitHint: 5, idempotency_key: key });
    assert.equal(snake.queryId, first.queryId, "the Scala client's spelling of the key is the same key");

    const otherKey = await submit(a, alice, path, { limitHint: 5, idempotencyKey: randomUUID() });
    assert.notEqual(otherKey.queryId, first.queryId);
    const otherBody = await submit(a, alice, path, { limitHint: 6, idempotencyKey: key });
    assert.notEqual(otherBody.queryId, first.queryId);
    const bobs = await submit(a, bob, path, { limitHint: 5, idempotencyKey: key });
    assert.notEqual(bobs.queryId, first.queryId, "keys are scoped to the recipient");

    const stolen = await post(b, bob, `${path}/queries/${encodeURIComponent(first.queryId)}`, {});
    assert.equal(stolen.status, 404);
    assert.equal(stolen.error?.errorCode, "RESOURCE_DOES_NOT_EXIST");
    const elsewhere = await post(
      b,
      alice,
      `${table("partitioned")}/queries/${encodeURIComponent(first.queryId)}`,
      {},
    );
    assert.equal(elsewhere.status, 404);
    const own = await post(b, alice, `${path}/queries/${encodeURIComponent(first.queryId)}`, {});
    assert.equal(own.status, 200);
  });

  test("without the capability or without an idempotency key the query is answered synchronously", async () => {
    for (const [body, capabilities] of [
      [{ idempotencyKey: randomUUID() }, "responseformat=parquet"],
      [{}, "responseformat=parquet;asyncquery=true"],
    ] as const) {
      const answer = await post(a, alice, `${table("small")}/query`, body, {
        "delta-sharing-capabilities": capabilities,
      });
      assert.equal(answer.status, 200);
      assert.ok("protocol" in (answer.lines[0] ?? {}), "the answer itself, no queryStatus");
      assert.doesNotMatch(answer.headers.get("delta-sharing-capabilities") ?? "", /asyncquery/);
    }
  });

  test("a query too large to carry in an id is answered at once; a poll naming another id is refused", async () => {
    const hints = Array.from({ length: 200 }, (_, index) => `region <> 'r${index}'`);
    const answer = await post(
      a,
      alice,
      `${table("partitioned")}/query`,
      { predicateHints: hints, idempotencyKey: randomUUID() },
      { "delta-sharing-capabilities": "responseformat=parquet;asyncquery=true" },
    );
    assert.equal(answer.status, 200);
    assert.ok("protocol" in (answer.lines[0] ?? {}), "the answer itself");
    assert.doesNotMatch(answer.headers.get("delta-sharing-capabilities") ?? "", /asyncquery/);

    const { queryId } = await submit(a, alice, table("small"), { idempotencyKey: randomUUID() });
    const mismatched = await post(b, alice, `${table("small")}/queries/${encodeURIComponent(queryId)}`, {
      queryId: "another",
    });
    assert.equal(mismatched.status, 400);
    assert.equal(mismatched.error?.errorCode, "INVALID_PARAMETER_VALUE");
  });

  test("an expired, forged or unknown query id gets the protocol's 404", async () => {
    const path = table("small");
    const { queryId } = await submit(short, alice, path, { idempotencyKey: randomUUID() });
    const fresh = await post(short, alice, `${path}/queries/${encodeURIComponent(queryId)}`, {});
    assert.equal(fresh.status, 200);
    const [payload, signature] = queryId.split(".") as [string, string];
    const flipped = `${payload}.${signature.startsWith("A") ? "B" : "A"}${signature.slice(1)}`;
    for (const id of [flipped, "6d3a1f1e-9b2c-4c8a-8e1f-2f5b7a9c0d11"]) {
      const forged = await post(short, alice, `${path}/queries/${encodeURIComponent(id)}`, {});
      assert.equal(forged.status, 404, id);
      assert.equal(forged.error?.errorCode, "RESOURCE_DOES_NOT_EXIST");
    }
    // an id lives at least asyncQueryTtlMs (1 s here) and at most twice that
    let expired: Answer | undefined;
    await waitUntil(
      async () => {
        expired = await post(short, alice, `${path}/queries/${encodeURIComponent(queryId)}`, {});
        return expired.status !== 200;
      },
      { timeoutMs: 5000, intervalMs: 250, what: "the query id to expire" },
    );
    assert.equal(expired?.status, 404);
    assert.equal(expired?.error?.errorCode, "RESOURCE_DOES_NOT_EXIST");
    assert.match(expired?.error?.message ?? "", /expired/);
  });
});
