// Query Table Version (PROTOCOL.md): GET .../version and the deprecated HEAD .../tables/{table}
// both answer 200 with an empty body and the newest version in Delta-Table-Version, under the
// {prefix} the configuration names (REST APIs: the prefix is the provider's choice).
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type Expected, writeFixtureTables } from "../fixtures/tables.ts";
import { startTestServer, type TestServer } from "./harness.ts";

let dir: string;
let expected: Expected;
let server: TestServer;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "dso-version-"));
  expected = await writeFixtureTables(join(dir, "tables"));
  server = await startTestServer({
    endpoint: "/custom/prefix",
    shares: [
      {
        name: "s",
        schemas: [{ name: "d", tables: [{ name: "t", location: expected.checkpointed.location }] }],
      },
    ],
  });
});

after(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test("GET .../version and the deprecated HEAD form name the newest version, under the configured prefix", async () => {
  for (const [path, method] of [
    ["/shares/s/schemas/d/tables/t/version", "GET"],
    ["/shares/S/schemas/D/tables/T", "HEAD"],
  ] as const) {
    const response = await fetch(`${server.url}/custom/prefix${path}`, {
      method,
      headers: { authorization: `Bearer ${server.token}` },
    });
    assert.equal(response.status, 200, `${method} ${path}`);
    assert.equal(response.headers.get("delta-table-version"), String(expected.checkpointed.latestVersion));
    assert.equal(await response.text(), "");
  }
  const elsewhere = await fetch(`${server.url}/delta-sharing/shares/s/schemas/d/tables/t/version`, {
    headers: { authorization: `Bearer ${server.token}` },
  });
  assert.equal(elsewhere.status, 404);
});
