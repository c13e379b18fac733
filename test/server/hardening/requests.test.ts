// Issue 13, reproductions 3 to 7 on the protocol routes: unknown and repeated query parameters, file
// URLs taken from the Host header, the commit time of a version before startVersion, a slow body
// answered 503 with Retry-After, and failed authentication neither limited nor cheap to log.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createReadStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { request } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parseConfigText } from "../../../server/config/load.ts";
import { refusal } from "../configRefusal.ts";
import { type FixtureServer, shareOf, startFixtureServer } from "../fixtureServer.ts";
import { startTestServer, type TestServer } from "../harness.ts";
import { fileUrlsOf } from "../query.ts";
import { auditEvents } from "../recipients/audit.ts";

describe("protocol routes under hostile requests", () => {
  let fixture: FixtureServer;
  let server: TestServer;

  before(async () => {
    fixture = await startFixtureServer("dso-hostile-", ({ tables }) => ({
      shares: [
        shareOf([{ name: "small", location: join(tables, "small"), historyShared: true, startVersion: 1 }]),
      ],
      requestTimeoutSeconds: 1,
      limits: { authFailureLimit: { failuresPerSecond: 0.01, burst: 5 } },
    }));
    server = fixture.server;
  });

  after(async () => {
    await fixture?.stop();
  });

  test("unknown or repeated query parameters: 400 JSON on every route", async () => {
    const table = "/shares/s/schemas/d/tables/small";
    const cases: [string, RequestInit?][] = [
      ["/shares?foo=1"],
      ["/shares?maxResults=1&maxResults=2"],
      ["/shares/s?x=1"],
      ["/shares/s/schemas?pageToken=a&pageToken=b"],
      ["/shares/s/all-tables?x"],
      ["/shares/s/schemas/d/tables?maxResults=1&y=2"],
      [`${table}/version?startingTimestamp=a&startingTimestamp=b`],
      [`${table}/metadata?version=1&v=1`],
      [`${table}/query?x=1`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }],
      [`${table}/changes?startingVersion=1&startingVersion=2`],
    ];
    for (const [path, init] of cases) {
      const response = await server.api(path, init);
      assert.equal(response.status, 400, path);
      assert.equal(
        ((await response.json()) as { errorCode: string }).errorCode,
        "INVALID_PARAMETER_VALUE",
        path,
      );
    }
    assert.equal((await server.api("/shares?maxResults=1")).status, 200);
  });

  test("file URLs name the server's own address, never the Host header", async () => {
    const body = await new Promise<string>((resolve, reject) => {
      const url = new URL(`${server.endpoint}/shares/s/schemas/d/tables/small/query`);
      const sent = request(
        url,
        {
          method: "POST",
          headers: {
            host: "a.example/x#",
            authorization: `Bearer ${server.token}`,
            "content-type": "application/json",
          },
        },
        (response) => {
          let text = "";
          response.on("data", (chunk) => {
            text += chunk;
          });
          response.on("end", () => resolve(text));
        },
      );
      sent.on("error", reject);
      sent.end("{}");
    });
    const urls = fileUrlsOf(body);
    assert.ok(urls.length > 0);
    for (const url of urls) assert.ok(url.startsWith(`${server.endpoint}/files/`), url);
    assert.ok(!body.includes("a.example"));
  });

  test("errors name no version before startVersion, nor its commit time", async () => {
    const table = "/shares/s/schemas/d/tables/small";
    for (const path of [
      `${table}/metadata?timestamp=2000-01-01T00:00:00Z`,
      `${table}/changes?startingVersion=1&endingTimestamp=2000-01-01T00:00:00Z`,
    ]) {
      const response = await server.api(path);
      assert.equal(response.status, 400, path);
      const { message } = (await response.json()) as { message: string };
      assert.doesNotMatch(message, /committed at|\(0,/, message);
    }
  });

  test("a body still arriving at the deadline: 408, not a 503 asking for a retry", async () => {
    const port = Number(new URL(server.url).port);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, "127.0.0.1");
      let data = "";
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no answer in 10 s: ${data}`));
      }, 10_000);
      socket.on("data", (chunk) => {
        data += chunk.toString();
      });
      socket.on("close", () => {
        clearTimeout(timer);
        resolve(data);
      });
      socket.on("error", () => undefined);
      socket.write(
        `POST /delta-sharing/shares/s/schemas/d/tables/small/query HTTP/1.1\r\nhost: x\r\n` +
          `authorization: Bearer ${server.token}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"lim`,
      );
    });
    assert.match(answer, /^HTTP\/1\.1 408 /);
    assert.doesNotMatch(answer, /retry-after/i);
    assert.match(answer, /"errorCode":"REQUEST_TIMEOUT"/);
  });

  test("failed authentication is limited per address, and the limited requests write no audit event", async () => {
    const metricsBefore = await (await fetch(`${server.opsUrl}/metrics`)).text();
    assert.doesNotMatch(metricsBefore, /delta_sharing_auth_failures_limited_total [1-9]/);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 12; attempt++) {
      const response = await fetch(`${server.endpoint}/shares`, {
        headers: { authorization: `Bearer wrong-${attempt}`, "user-agent": "brute-force" },
      });
      statuses.push(response.status);
      if (response.status === 429) assert.ok(Number(response.headers.get("retry-after")) >= 1);
      await response.body?.cancel();
    }
    assert.deepEqual(statuses, [...Array(5).fill(401), ...Array(7).fill(429)]);
    assert.equal((await server.api("/shares")).status, 429, "the address is limited, whatever its token");
    const metrics = await (await fetch(`${server.opsUrl}/metrics`)).text();
    assert.match(metrics, /delta_sharing_auth_failures_limited_total 8/);
    const audited = (await auditEvents(join(server.dir, "audit.log"))).filter(
      (event) => event.userAgent === "brute-force",
    );
    assert.deepEqual(
      audited.map((event) => event.status),
      Array(5).fill(401),
    );
  });
});

describe("without publicUrl, file URLs need an address of the server's own", () => {
  test("bound to every interface with a table on local disk: refused at start, naming publicUrl", () => {
    const config = (host: string, location: string, extra = "") =>
      `version: 1\nhost: "${host}"\nallowAnonymous: true\n${extra}shares:\n  - name: s\n    schemas:\n` +
      `      - name: d\n        tables:\n          - name: t\n            location: ${location}\n`;
    assert.match(
      refusal(config("0.0.0.0", "/data/t")),
      /publicUrl is required when tables on local disk are served/,
    );
    assert.match(refusal(config("::", "file:///data/t")), /publicUrl/);
    for (const accepted of [
      config("0.0.0.0", "/data/t", "publicUrl: https://sharing.example.com\n"),
      config("0.0.0.0", "s3://bucket/t"),
      config("127.0.0.1", "/data/t"),
    ]) {
      assert.equal(parseConfigText(accepted, "server.yaml").shares.length, 1);
    }
  });
});

describe("audit writes never block the event loop", () => {
  test("an audit destination nobody reads: requests are still answered", async () => {
    const dir = await mkdtemp(join(tmpdir(), "dso-audit-fifo-"));
    const fifo = join(dir, "audit.fifo");
    execFileSync("mkfifo", [fifo]);
    const server = await startTestServer({
      shares: [],
      audit: { destination: "file", file: fifo },
      limits: { authFailureLimit: { failuresPerSecond: 0 } },
    });
    try {
      const started = Date.now();
      for (let attempt = 0; attempt < 50; attempt++) {
        const response = await fetch(`${server.endpoint}/shares`, {
          headers: { authorization: "Bearer wrong" },
          signal: AbortSignal.timeout(5000),
        });
        assert.equal(response.status, 401);
        await response.body?.cancel();
      }
      assert.ok(Date.now() - started < 10_000);
      assert.equal((await fetch(`${server.opsUrl}/livez`)).status, 200);
      // a reader at last: the buffered events arrive
      const reader = createReadStream(fifo, { encoding: "utf8" });
      let text = "";
      reader.on("data", (chunk) => {
        text += chunk;
      });
      const deadline = Date.now() + 10_000;
      while ((text.match(/\n/g)?.length ?? 0) < 50 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(text.match(/"status":401/g)?.length, 50);
      await server.stop();
      reader.destroy();
    } finally {
      await server.stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
