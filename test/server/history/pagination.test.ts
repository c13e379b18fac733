// Query pagination and refresh tokens, against a real server with two recipients: a paged query of
// a 100k-file table hands out every file exactly once; paged snapshot, streaming and change-feed
// answers equal the unpaged ones; refresh tokens give the same files at the same version with fresh
// URLs after the table moved on; and page or refresh tokens that are forged, altered, expired, of
// another recipient, another table or other parameters are refused with a 400 JSON error.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type SparkTables, sparkFixtureTables } from "../../fixtures/sparkTables.ts";
import { appendRows, generateManyFiles, writeFixtureTables } from "../../fixtures/tables.ts";
import { startTestServer, type TestServer } from "../harness.ts";
import { readAnswer } from "../ndjsonAnswer.ts";

type Line = Record<string, Record<string, unknown>>;

interface Answer {
  status: number;
  headers: Headers;
  lines: Line[];
  error?: { errorCode: string; message: string };
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe("query pagination and refresh tokens", () => {
  let dir: string;
  let server: TestServer;
  /** The same tables, with tokens that live one second. */
  let shortLived: TestServer;
  let spark: SparkTables;
  let smallLocation: string;
  const alice = randomBytes(24).toString("base64url");
  const bob = randomBytes(24).toString("base64url");
  const manyFiles = 100_000;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-pages-"));
    const started = Date.now();
    const [many, fixtures, sparkTables] = await Promise.all([
      generateManyFiles(join(dir, "many"), manyFiles, { links: "none", json: false }),
      writeFixtureTables(join(dir, "fixtures")),
      sparkFixtureTables(dir),
    ]);
    console.log(`# 100k-file table and fixtures ready in ${Date.now() - started} ms`);
    spark = sparkTables;
    smallLocation = fixtures.small.location;
    const table = (name: string, location: string) => ({ name, location, historyShared: true });
    const recipients = [
      { name: "alice", tokens: [{ sha256: sha256(alice) }], shares: ["pages"] },
      { name: "bob", tokens: [{ sha256: sha256(bob) }], shares: ["pages"] },
    ];
    shortLived = await startTestServer({
      recipients,
      queryTablePageTokenTtlMs: 1000,
      refreshTokenTtlMs: 1000,
      shares: [{ name: "pages", schemas: [{ name: "t", tables: [table("small", smallLocation)] }] }],
    });
    server = await startTestServer({
      recipients,
      shares: [
        {
          name: "pages",
          schemas: [
            {
              name: "t",
              tables: [
                table("many", many.location),
                table("small", smallLocation),
                table("cdf", spark.cdf.location),
                table("dv", spark.dv.location),
              ],
            },
          ],
        },
      ],
    });
  });

  after(async () => {
    await server?.stop();
    await shortLived?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function request(who: string, path: string, init: RequestInit = {}, on = server): Promise<Answer> {
    const response = await fetch(`${on.endpoint}/shares/pages/schemas/t/tables/${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${who}`,
        "content-type": "application/json",
        ...(init.headers as object),
      },
      signal: AbortSignal.timeout(120_000),
    });
    return (await readAnswer(response)) as Answer;
  }

  const query = (who: string, table: string, body: unknown, headers: Record<string, string> = {}) =>
    request(who, `${table}/query`, { method: "POST", body: JSON.stringify(body), headers });

  const endOf = (answer: Answer) => answer.lines.find((line) => line.endStreamAction)?.endStreamAction;

  /** Every page of a query, following nextPageToken; the answers in order. */
  async function allPages(fetchPage: (token?: string) => Promise<Answer>, limit = 1000): Promise<Answer[]> {
    const pages: Answer[] = [];
    let token: string | undefined;
    for (let i = 0; i < limit; i++) {
      const page = await fetchPage(token);
      assert.equal(page.status, 200, JSON.stringify(page.error));
      pages.push(page);
      token = endOf(page)?.nextPageToken as string | undefined;
      if (!token) return pages;
    }
    throw new Error("too many pages");
  }

  const fileIds = (answers: Answer[], kind = "file") =>
    answers.flatMap((answer) =>
      answer.lines.flatMap((line) => (line[kind] ? [line[kind].id as string] : [])),
    );

  test("a paged query of the 100k-file table returns every file exactly once", async () => {
    const started = Date.now();
    const pages = await allPages((pageToken) =>
      query(alice, "many", { maxFiles: 7000, ...(pageToken ? { pageToken } : {}) }),
    );
    const ids = fileIds(pages);
    console.log(`# ${pages.length} pages of the 100k-file table in ${Date.now() - started} ms`);
    assert.equal(pages.length, Math.ceil(manyFiles / 7000));
    assert.equal(ids.length, manyFiles);
    assert.equal(new Set(ids).size, manyFiles);
    const unpaged = await query(alice, "many", {});
    assert.deepEqual(new Set(fileIds([unpaged])), new Set(ids));
    for (const page of pages) {
      assert.equal(page.headers.get("delta-table-version"), pages[0]?.headers.get("delta-table-version"));
      const end = endOf(page);
      assert.equal(typeof end?.minUrlExpirationTimestamp, "number");
    }
  });

  test("paged snapshot, streaming and change-feed answers equal the unpaged ones", async () => {
    const delta = { "delta-sharing-capabilities": "responseformat=delta;readerfeatures=deletionvectors" };
    const snapshotPages = await allPages((pageToken) =>
      query(alice, "dv", { maxFiles: 2, ...(pageToken ? { pageToken } : {}) }, delta),
    );
    const snapshot = await query(alice, "dv", {}, delta);
    assert.deepEqual(fileIds(snapshotPages).sort(), fileIds([snapshot]).sort());
    assert.ok(snapshotPages.length > 1);

    const streamPages = await allPages((pageToken) =>
      query(alice, "cdf", { startingVersion: 0, maxFiles: 2, ...(pageToken ? { pageToken } : {}) }),
    );
    const stream = await query(alice, "cdf", { startingVersion: 0 });
    const streamKey = (answers: Answer[]) =>
      answers
        .flatMap((answer) => answer.lines.slice(2))
        .filter((line) => !line.endStreamAction)
        .map((line) => {
          const [kind, value] = Object.entries(line)[0] as [string, Record<string, unknown>];
          return `${kind}:${value.id}:${value.version}`;
        });
    assert.deepEqual(streamKey(streamPages), streamKey([stream]));
    assert.ok(streamPages.length > 1);

    const feedPages = await allPages((pageToken) =>
      request(
        alice,
        `cdf/changes?startingVersion=0&maxFiles=3${pageToken ? `&pageToken=${encodeURIComponent(pageToken)}` : ""}`,
      ),
    );
    const feed = await request(alice, "cdf/changes?startingVersion=0");
    assert.deepEqual(streamKey(feedPages), streamKey([feed]));
    assert.ok(feedPages.length > 1);
    assert.equal(spark.cdf.latestVersion > 0, true);
  });

  test("includeendstreamaction=true is echoed and the answer ends with an endStreamAction", async () => {
    const capabilities = "responseformat=delta;readerfeatures=deletionvectors;includeendstreamaction=true";
    for (const answer of [
      await query(alice, "dv", {}, { "delta-sharing-capabilities": capabilities }),
      await request(alice, "cdf/changes?startingVersion=1", {
        headers: { "delta-sharing-capabilities": capabilities },
      }),
    ]) {
      assert.equal(answer.status, 200);
      assert.match(answer.headers.get("delta-sharing-capabilities") ?? "", /includeendstreamaction=true/);
      const last = answer.lines.at(-1);
      assert.ok(last?.endStreamAction, "the last line is the endStreamAction");
      assert.equal(last.endStreamAction.nextPageToken, undefined);
    }
  });

  test("a refresh token gives the same files at the same version with fresh URLs", async () => {
    const first = await query(alice, "small", { includeRefreshToken: true });
    const refreshToken = endOf(first)?.refreshToken as string;
    assert.equal(typeof refreshToken, "string");
    const version = first.headers.get("delta-table-version");
    await appendRows(smallLocation, [{ id: 999, name: "late" }]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const newest = await query(alice, "small", {});
    assert.notEqual(newest.headers.get("delta-table-version"), version, "the table moved on");
    const refreshed = await query(alice, "small", { includeRefreshToken: true, refreshToken });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.error));
    assert.equal(refreshed.headers.get("delta-table-version"), version);
    assert.deepEqual(fileIds([refreshed]).sort(), fileIds([first]).sort());
    const urls = (answer: Answer) => answer.lines.flatMap((line) => (line.file ? [line.file.url] : []));
    assert.notDeepEqual(urls(refreshed), urls(first), "fresh URLs");
    assert.equal(typeof endOf(refreshed)?.refreshToken, "string");
    const bobs = await query(bob, "small", { refreshToken });
    assert.equal(bobs.status, 400);
  });

  test("forged, altered, expired and misplaced page tokens are refused with 400 JSON", async () => {
    const first = await query(alice, "many", { maxFiles: 10 });
    const token = endOf(first)?.nextPageToken as string;
    assert.equal(typeof token, "string");
    const [payload, signature] = token.split(".") as [string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    claims.p.after = "";
    const altered = `${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
    const flipped = `${payload.slice(0, -2)}${payload.at(-2) === "A" ? "B" : "A"}${payload.at(-1)}.${signature}`;
    const cases: [string, Promise<Answer>][] = [
      ["forged", query(alice, "many", { maxFiles: 10, pageToken: randomBytes(40).toString("base64url") })],
      ["altered claims", query(alice, "many", { maxFiles: 10, pageToken: altered })],
      ["a flipped character", query(alice, "many", { maxFiles: 10, pageToken: flipped })],
      ["another recipient", query(bob, "many", { maxFiles: 10, pageToken: token })],
      ["another table", query(alice, "small", { maxFiles: 10, pageToken: token })],
      [
        "other parameters",
        query(alice, "many", { maxFiles: 10, pageToken: token, predicateHints: ["id = 1"] }),
      ],
      [
        "a change feed",
        request(alice, `cdf/changes?startingVersion=0&pageToken=${encodeURIComponent(token)}`),
      ],
      [
        "a forged refresh token",
        query(alice, "many", { refreshToken: randomBytes(40).toString("base64url") }),
      ],
    ];
    for (const [what, pending] of cases) {
      const answer = await pending;
      assert.equal(answer.status, 400, what);
      assert.equal(answer.headers.get("content-type")?.startsWith("application/json"), true, what);
      assert.equal(answer.error?.errorCode, "INVALID_PARAMETER_VALUE", what);
      assert.match(answer.error?.message ?? "", /token is not valid/, what);
    }
    const stillGood = await query(alice, "many", { maxFiles: 10, pageToken: token });
    assert.equal(stillGood.status, 200);
  });

  test("expired page and refresh tokens are refused with 400 JSON", async () => {
    const post = (body: unknown) =>
      request(alice, "small/query", { method: "POST", body: JSON.stringify(body) }, shortLived);
    const first = await post({ maxFiles: 1, includeRefreshToken: true });
    const pageToken = endOf(first)?.nextPageToken as string;
    const refreshToken = endOf(first)?.refreshToken as string;
    assert.equal(typeof pageToken, "string");
    assert.equal(typeof refreshToken, "string");
    await new Promise((resolve) => setTimeout(resolve, 1100));
    for (const body of [{ maxFiles: 1, pageToken }, { refreshToken }]) {
      const expired = await post(body);
      assert.equal(expired.status, 400);
      assert.equal(expired.error?.errorCode, "INVALID_PARAMETER_VALUE");
      assert.match(expired.error?.message ?? "", /expired/);
    }
  });
});
