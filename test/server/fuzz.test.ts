// Every endpoint fuzzed with generated malformed requests, over real HTTP against a server reading
// real Delta tables: thousands of structured requests (odd paths, query strings, headers, bodies
// with random predicate trees) and raw broken HTTP. The bar: no crash, no 5xx, no hang, and every
// error answered in the protocol's {errorCode, message} form.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { connect } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { type FixtureServer, shareOf, startFixtureServer } from "./fixtureServer.ts";
import { type FuzzRequest, type FuzzTargets, fuzzRequest, rawRequest } from "./fuzz-arbitraries.ts";
import { assertErrorForm, fetchAnswer } from "./fuzzAnswers.ts";
import type { TestServer } from "./harness.ts";
import { fileUrlsOf } from "./query.ts";

const token = "fuzz-token-".padEnd(43, "z");
const runs = Number(process.env.DSO_FUZZ_RUNS ?? 2000);

describe("fuzzing every endpoint", () => {
  let fixture: FixtureServer;
  let server: TestServer;
  let targets: FuzzTargets;
  const statuses = new Map<number, number>();

  before(async () => {
    fixture = await startFixtureServer("dso-fuzz-", ({ tables }) => {
      const table = (name: string, historyShared: boolean) => ({
        name,
        location: join(tables, name),
        historyShared,
      });
      return {
        shares: [
          shareOf([
            table("small", false),
            table("partitioned", true),
            table("cdf", true),
            table("checkpointed", true),
          ]),
          { name: "hidden", schemas: [{ name: "d", tables: [table("small", false)] }] },
          { name: "empty", schemas: [] },
        ],
        recipients: [
          {
            name: "fuzzer",
            tokens: [{ sha256: createHash("sha256").update(token).digest("hex") }],
            shares: ["s", "empty"],
          },
        ],
        limits: { rateLimit: { requestsPerSecond: 0 }, authFailureLimit: { failuresPerSecond: 0 } },
      };
    });
    server = fixture.server;
    const auth = { authorization: `Bearer ${token}` };
    const page = (await (
      await fetch(`${server.endpoint}/shares?maxResults=1`, { headers: auth })
    ).json()) as {
      nextPageToken: string;
    };
    const query = await fetch(`${server.endpoint}/shares/s/schemas/d/tables/small/query`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: "{}",
    });
    const fileUrls = fileUrlsOf(await query.text()).map((url) => new URL(url).pathname);
    assert.ok(fileUrls.length > 0 && typeof page.nextPageToken === "string");
    targets = {
      endpoint: "/delta-sharing",
      token,
      names: ["s", "S", "d", "D", "small", "partitioned", "cdf", "checkpointed", "hidden", "empty"],
      tables: [
        "s.d.small",
        "s.d.partitioned",
        "s.d.cdf",
        "s.d.checkpointed",
        "S.D.Partitioned",
        "hidden.d.small",
      ],
      pageTokens: [page.nextPageToken, `${page.nextPageToken.slice(0, -2)}xx`],
      fileUrls,
    };
  });

  after(async () => {
    await fixture?.stop();
  });

  const send = (request: FuzzRequest) =>
    fetchAnswer(`${server.url}${request.path}`, {
      method: request.method,
      headers: request.headers,
      ...(request.body !== undefined ? { body: request.body } : {}),
    });

  test(`${runs} structured requests: no 5xx, no hang, errors in the protocol's form`, {
    timeout: 120_000,
  }, async () => {
    let unsendable = 0;
    await fc.assert(
      fc.asyncProperty(fuzzRequest(targets), async (request) => {
        const answer = await send(request);
        if (answer === "unsendable") {
          unsendable++;
          return;
        }
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        const where = `${request.method} ${request.path} -> ${answer.status} ${answer.body.slice(0, 300)}`;
        assert.ok(answer.status >= 200 && answer.status < 500, where);
        assertErrorForm(answer, request.method, where);
      }),
      { numRuns: runs, interruptAfterTimeLimit: 100_000 },
    );
    console.log(
      `# statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}; unsendable: ${unsendable}`,
    );
    assert.ok((statuses.get(200) ?? 0) > runs / 50, "some requests were well-formed enough to succeed");
    assert.ok(unsendable < runs / 10);
  });

  test(`${Math.ceil(runs / 3)} raw broken HTTP requests: every connection answered or closed in time, never 5xx`, {
    timeout: 120_000,
  }, async () => {
    const port = Number(new URL(server.url).port);
    await fc.assert(
      fc.asyncProperty(rawRequest(targets), async (raw) => {
        const received = await new Promise<string>((resolve, reject) => {
          let data = "";
          const socket = connect(port, "127.0.0.1");
          const timer = setTimeout(() => {
            socket.destroy();
            reject(new Error(`connection still open after 5 s for ${JSON.stringify(raw.slice(0, 200))}`));
          }, 5000);
          socket.on("data", (chunk) => {
            data += chunk.toString("latin1");
          });
          socket.on("error", () => undefined);
          socket.on("close", () => {
            clearTimeout(timer);
            resolve(data);
          });
          socket.end(raw, "latin1");
        });
        for (const match of received.matchAll(/HTTP\/1\.[01] (\d{3})/g)) {
          assert.ok(Number(match[1]) < 500, `${match[0]} for ${JSON.stringify(raw.slice(0, 200))}`);
        }
      }),
      { numRuns: Math.ceil(runs / 3), interruptAfterTimeLimit: 60_000 },
    );
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
  });

  test("no 5xx was logged as an internal error, and the token never reached a log", () => {
    assert.doesNotMatch(server.logs(), /"level":50/);
    assert.ok(!server.logs().includes(token));
  });
});
