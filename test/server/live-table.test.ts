// A table keeps changing while it is shared: a new commit is served on the next request, with no
// restart, to the official client.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { loadWithClient, versionWithClient } from "../fixtures/recipient.ts";
import { appendRows, type Expected, readTable, sortRows, writeFixtureTables } from "../fixtures/tables.ts";
import { startTestServer, type TestServer } from "./harness.ts";

describe("a table that gets a new commit", () => {
  let dir: string;
  let expected: Expected;
  let server: TestServer;
  let location: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-live-"));
    expected = await writeFixtureTables(join(dir, "tables"));
    location = join(dir, "tables", "checkpointed");
    server = await startTestServer({
      shares: [{ name: "s", schemas: [{ name: "d", tables: [{ name: "t", location }] }] }],
    });
  });

  after(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test("is visible on the next request without a restart", async () => {
    const before = expected.checkpointed.latestVersion;
    assert.equal(await versionWithClient(server.profilePath, "s.d.t"), before);
    const existing = expected.checkpointed.versions[String(before)] ?? [];
    const template = existing[0];
    assert.ok(template);
    const added = { ...template, id: 999_001 };
    const version = await appendRows(location, [added]);
    assert.equal(version, before + 1);
    assert.equal(await versionWithClient(server.profilePath, "s.d.t"), version);
    const [read, truth] = await Promise.all([
      loadWithClient(server.profilePath, "s.d.t"),
      readTable(location),
    ]);
    assert.equal(truth.latestVersion, version);
    assert.deepEqual(sortRows(read.rows), sortRows(truth.versions[String(version)] ?? []));
    assert.ok(read.rows.some((row) => row.id === 999_001));
  });
});
