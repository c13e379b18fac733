// Every route's query string fuzzed, as bodies are (fuzz.test.ts), over real HTTP against a server
// reading real Delta tables, on the data port and the ops port: generated parameters, repeated or
// unknown ones among them. The bar: never a 5xx, every error in the protocol's JSON form, and every
// request with an unknown or repeated parameter refused with 400.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { type FixtureServer, shareOf, startFixtureServer } from "./fixtureServer.ts";
import { type QueryRequest, type QueryRoute, queryRequest } from "./fuzz-query-strings.ts";
import { assertErrorForm, fetchAnswer } from "./fuzzAnswers.ts";
import type { TestServer } from "./harness.ts";
import { fileUrlsOf } from "./query.ts";

const token = "query-fuzz-token-".padEnd(43, "q");
const runs = Number(process.env.DSO_FUZZ_RUNS ?? 2000);

describe("fuzzing every route's query string", () => {
  let fixture: FixtureServer;
  let server: TestServer;
  let routes: QueryRoute[];
  const statuses = new Map<number, number>();

  before(async () => {
    fixture = await startFixtureServer("dso-query-fuzz-", ({ tables }) => ({
      shares: [
        shareOf(
          ["small", "cdf"].map((name) => ({ name, location: join(tables, name), historyShared: true })),
        ),
      ],
      recipients: [
        {
          name: "fuzzer",
          tokens: [{ sha256: createHash("sha256").update(token).digest("hex") }],
          shares: ["s"],
        },
      ],
      limits: { rateLimit: { requestsPerSecond: 0 }, authFailureLimit: { failuresPerSecond: 0 } },
    }));
    server = fixture.server;
    const auth = { authorization: `Bearer ${token}` };
    const page = (await (
      await fetch(`${server.endpoint}/shares/s/schemas?maxResults=0`, { headers: auth })
    ).json()) as {
      nextPageToken?: string;
    };
    const query = await fetch(`${server.endpoint}/shares/s/schemas/d/tables/small/query`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: "{}",
    });
    const [fileUrl] = fileUrlsOf(await query.text());
    assert.ok(fileUrl);
    const file = new URL(fileUrl);
    const list = { maxResults: ["0", "1", "2"], pageToken: [page.nextPageToken ?? "x", "x"] };
    const table = "/delta-sharing/shares/s/schemas/d/tables";
    const timestamps = ["2000-01-01T00:00:00Z", "2999-01-01T00:00:00Z", "2024-01-01T00:00:00+01:00"];
    routes = [
      { method: "GET", port: "data", path: "/delta-sharing/shares", params: list },
      { method: "GET", port: "data", path: "/delta-sharing/shares/s", params: {} },
      { method: "GET", port: "data", path: "/delta-sharing/shares/s/schemas", params: list },
      { method: "GET", port: "data", path: "/delta-sharing/shares/s/all-tables", params: list },
      { method: "GET", port: "data", path: "/delta-sharing/shares/s/schemas/d/tables", params: list },
      {
        method: "GET",
        port: "data",
        path: `${table}/small/version`,
        params: { startingTimestamp: timestamps },
      },
      { method: "HEAD", port: "data", path: `${table}/small`, params: { startingTimestamp: timestamps } },
      {
        method: "GET",
        port: "data",
        path: `${table}/small/metadata`,
        params: { version: ["0", "1", "7"], timestamp: timestamps },
      },
      { method: "POST", port: "data", path: `${table}/small/query`, params: {}, body: '{"limitHint":1}' },
      {
        method: "GET",
        port: "data",
        path: `${table}/cdf/changes`,
        params: {
          startingVersion: ["0", "1", "3"],
          startingTimestamp: timestamps,
          endingVersion: ["1", "2"],
          endingTimestamp: timestamps,
          includeHistoricalMetadata: ["true", "False"],
          includeHistoricalProtocol: ["TRUE", "false"],
          maxFiles: ["1", "2"],
          pageToken: ["x"],
        },
      },
      {
        method: "GET",
        port: "data",
        path: file.pathname,
        params: { sp: ["r", "w"] },
        fixed: { sig: file.searchParams.get("sig") ?? "" },
      },
      {
        method: "HEAD",
        port: "data",
        path: file.pathname,
        params: { sp: ["r"] },
        fixed: { sig: file.searchParams.get("sig") ?? "" },
      },
      { method: "GET", port: "data", path: "/healthz", params: {} },
      { method: "GET", port: "data", path: "/readyz", params: {} },
      ...["/livez", "/readyz", "/status", "/metrics"].map(
        (path): QueryRoute => ({ method: "GET", port: "ops", path, params: {} }),
      ),
    ];
  });

  after(async () => {
    await fixture?.stop();
  });

  function send(request: QueryRequest) {
    const { route } = request;
    const base = route.port === "ops" ? server.opsUrl : server.url;
    return fetchAnswer(`${base}${route.path}${request.query}`, {
      method: route.method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(route.body !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(route.body !== undefined ? { body: route.body } : {}),
    });
  }

  test(`${runs} query strings over every route: no 5xx, unknown or repeated parameters refused with 400`, {
    timeout: 180_000,
  }, async () => {
    let unsendable = 0;
    let refusals = 0;
    await fc.assert(
      fc.asyncProperty(queryRequest(routes), async (request) => {
        const answer = await send(request);
        if (answer === "unsendable") {
          unsendable++;
          return;
        }
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        const where = `${request.route.method} ${request.route.path}${request.query.slice(0, 300)} -> ${answer.status} ${answer.body.slice(0, 300)}`;
        assert.ok(answer.status < 500, where);
        if (request.mustRefuse) {
          refusals++;
          assert.equal(answer.status, 400, where);
        }
        assertErrorForm(answer, request.route.method, where);
      }),
      { numRuns: runs, interruptAfterTimeLimit: 150_000 },
    );
    console.log(
      `# statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}; refusals checked: ${refusals}`,
    );
    assert.ok((statuses.get(200) ?? 0) > runs / 20, "some requests were well-formed enough to succeed");
    assert.ok(refusals > runs / 5, "many requests carried unknown or repeated parameters");
    assert.ok(unsendable < runs / 10);
  });

  test("no 5xx was logged as an internal error, and the token never reached a log", () => {
    assert.doesNotMatch(server.logs(), /"level":50/);
    assert.ok(!server.logs().includes(token));
  });
});
