// Issue 13, reproduction 1: the data port answered /readyz with every storage root and probe error,
// and /metrics with recipient names, without a token. Now the data port answers a plain status and
// no metrics; the details, and the status document the operator reads, are on the ops port only.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Value } from "@sinclair/typebox/value";
import { StatusDocument } from "../../../server/ops/statusDocument.ts";
import { waitUntil } from "../../ground/wait.ts";
import { type FixtureServer, shareOf, startFixtureServer } from "../fixtureServer.ts";
import type { TestServer } from "../harness.ts";

describe("the ops port holds the details; the data port tells nothing", () => {
  let fixture: FixtureServer;
  let server: TestServer;

  before(async () => {
    fixture = await startFixtureServer("dso-ops-", ({ dir, tables }) => ({
      shares: [
        shareOf([
          { name: "small", location: join(tables, "small") },
          { name: "gone", location: join(dir, "secret-project", "orders") },
        ]),
      ],
    }));
    server = fixture.server;
    await server.api("/shares").then((response) => response.body?.cancel());
  });

  after(async () => {
    await fixture?.stop();
  });

  test("data port: plain /healthz and /readyz, no /metrics, no storage root or recipient named", async () => {
    for (const path of ["/healthz", "/readyz"]) {
      const response = await fetch(`${server.url}${path}`);
      assert.equal(response.status, 200, path);
      assert.deepEqual(await response.json(), { status: "ok" });
    }
    const metrics = await fetch(`${server.url}/metrics`);
    assert.equal(metrics.status, 404);
    const body = await metrics.text();
    assert.doesNotMatch(body, /delta_sharing_requests_total|secret-project/);
    assert.equal(JSON.parse(body).errorCode, "RESOURCE_DOES_NOT_EXIST");
    for (const path of ["/status", "/livez"]) assert.equal((await fetch(`${server.url}${path}`)).status, 404);
  });

  test("ops port: /livez, /metrics, and /status and /readyz with the status document", async () => {
    assert.deepEqual(await (await fetch(`${server.opsUrl}/livez`)).json(), { status: "ok" });
    const metrics = await (await fetch(`${server.opsUrl}/metrics`)).text();
    assert.match(metrics, /delta_sharing_requests_total\{/);

    await waitUntil(
      async () => {
        const status = (await (await fetch(`${server.opsUrl}/status`)).json()) as StatusDocument;
        return status.tables.every((table) => table.state !== "pending");
      },
      { what: "every table probed", timeoutMs: 20_000 },
    );
    const ready = await fetch(`${server.opsUrl}/readyz`);
    assert.equal(ready.status, 200, "a missing table does not make the pod unready");
    const status = (await ready.json()) as StatusDocument;
    assert.ok(Value.Check(StatusDocument, status), JSON.stringify([...Value.Errors(StatusDocument, status)]));
    assert.equal(status.apiVersion, "ops.delta-sharing-operator.dev/v1");
    const configText = await readFile(server.configPath);
    assert.equal(status.config.sha256, createHash("sha256").update(configText).digest("hex"));
    assert.deepEqual([status.config.shares, status.config.recipients], [1, 0]);
    const byName = new Map(status.tables.map((table) => [table.table, table]));
    assert.equal(byName.get("small")?.state, "ok");
    assert.equal(byName.get("small")?.version, 1);
    assert.equal(byName.get("gone")?.state, "notFound");
    assert.equal(byName.get("gone")?.version, null);
    assert.ok(status.storage.length > 0);

    const afterProbe = await (await fetch(`${server.opsUrl}/metrics`)).text();
    assert.match(afterProbe, /delta_sharing_table_healthy\{share="s",schema="d",table="small"\} 1/);
    assert.match(afterProbe, /delta_sharing_table_healthy\{share="s",schema="d",table="gone"\} 0/);
  });

  test("a reloaded configuration: a new hash and load time, its tables probed afresh", async () => {
    const before = (await (await fetch(`${server.opsUrl}/status`)).json()) as StatusDocument;
    const text = (await readFile(server.configPath, "utf8")).replace("name: gone", "name: renamed");
    await writeFile(server.configPath, text);
    await server.running.reload();
    await waitUntil(
      async () => {
        const status = (await (await fetch(`${server.opsUrl}/status`)).json()) as StatusDocument;
        return status.tables.find((table) => table.table === "renamed")?.state === "notFound";
      },
      { what: "the renamed table probed", timeoutMs: 20_000 },
    );
    const after = (await (await fetch(`${server.opsUrl}/status`)).json()) as StatusDocument;
    assert.equal(after.config.sha256, createHash("sha256").update(text).digest("hex"));
    assert.ok(Date.parse(after.config.loadedAt) > Date.parse(before.config.loadedAt));
    assert.deepEqual(after.tables.map((table) => table.table).sort(), ["renamed", "small"]);
  });

  test("table probes wait while a request is answered, but at most a bounded time", async () => {
    // a request whose body arrives slowly is being answered from its headers on
    const url = new URL(`${server.url}/delta-sharing/shares/s/schemas/d/tables/small/query`);
    const socket = connect(Number(url.port), url.hostname);
    try {
      await new Promise((resolve) => socket.once("connect", resolve));
      socket.write(
        `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${server.token}\r\n` +
          "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n",
      );
      const text = (await readFile(server.configPath, "utf8")).replace("name: renamed", "name: again");
      await writeFile(server.configPath, text);
      const started = performance.now();
      await server.running.reload();
      const stateOf = async () =>
        ((await (await fetch(`${server.opsUrl}/status`)).json()) as StatusDocument).tables.find(
          (table) => table.table === "again",
        )?.state;
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(await stateOf(), "pending", "probed while a request was being answered");
      await waitUntil(async () => (await stateOf()) === "notFound", {
        what: "the probe after its wait",
        timeoutMs: 20_000,
      });
      assert.ok(performance.now() - started < 10_000, "the probes waited without bound");
    } finally {
      socket.destroy();
    }
  });

  test("ops routes refuse query parameters with 400 JSON", async () => {
    for (const path of ["/livez?x=1", "/status?x=1&x=2", "/metrics?name[]=a", "/readyz?verbose"]) {
      const response = await fetch(`${server.opsUrl}${path}`);
      assert.equal(response.status, 400, path);
      assert.equal(((await response.json()) as { errorCode: string }).errorCode, "INVALID_PARAMETER_VALUE");
    }
  });
});
