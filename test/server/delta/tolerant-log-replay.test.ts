// Log replay as tolerant as Delta's own readers (issue #12): a `_last_checkpoint` that is corrupt,
// names a version past the log or one without a checkpoint, or is missing, falls back to listing;
// unknown actions and fields and a commitInfo of any shape are ignored. A log that cannot be read
// (a commit that is not JSON) or needs an unknown reader version is refused with a 400 naming the
// file or the version, logged with the table.
import assert from "node:assert/strict";
import { appendFile, cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { batchWithClient } from "../../fixtures/recipient.ts";
import { type FixtureTable, type Row, sortRows, writeFixtureTables } from "../../fixtures/tables.ts";
import { startTestServer, type TestServer } from "../harness.ts";

const commitName = (version: number) => `${String(version).padStart(20, "0")}.json`;

/** Ways of changing a copy of the checkpointed fixture table, each as another writer might leave it. */
const variants: Record<string, (table: string, fixture: FixtureTable) => Promise<void>> = {
  corrupt_hint: (table) => writeFile(join(table, "_delta_log", "_last_checkpoint"), "{not json"),
  hint_past_the_log: (table) =>
    writeFile(join(table, "_delta_log", "_last_checkpoint"), JSON.stringify({ version: 99, size: 3 })),
  hint_without_checkpoint: (table) =>
    writeFile(join(table, "_delta_log", "_last_checkpoint"), JSON.stringify({ version: 3, size: 3 })),
  hint_missing: (table) => rm(join(table, "_delta_log", "_last_checkpoint")),
  odd_actions: async (table, fixture) => {
    const latest = join(table, "_delta_log", commitName(fixture.latestVersion));
    // fields no reader knows yet on the actions of the newest commit
    const lines = (await readFile(latest, "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const widened = lines.map((action) => {
      const [kind] = Object.keys(action);
      return kind
        ? { [kind]: { ...action[kind], fieldFromTheFuture: { nested: [1, null] } }, alsoNew: 1 }
        : action;
    });
    await writeFile(latest, `${widened.map((action) => JSON.stringify(action)).join("\n")}\n`);
    // a commit of actions no reader knows and a commitInfo of an unexpected shape
    const next = [
      { commitInfo: { timestamp: "yesterday", operationParameters: { a: [1, { b: null }] }, engineInfo: 7 } },
      { futureAction: { anything: true } },
      { domainMetadata: { domain: "x", configuration: "{}", removed: false } },
      { txn: { appId: "w", version: 3 } },
    ];
    await writeFile(
      join(table, "_delta_log", commitName(fixture.latestVersion + 1)),
      `${next.map((action) => JSON.stringify(action)).join("\n")}\n`,
    );
  },
  reader_version_99: (table, fixture) =>
    appendFile(
      join(table, "_delta_log", commitName(fixture.latestVersion)),
      `\n${JSON.stringify({ protocol: { minReaderVersion: 99, minWriterVersion: 99 } })}\n`,
    ),
  corrupt_commit: (table, fixture) =>
    appendFile(join(table, "_delta_log", commitName(fixture.latestVersion)), "{this is not json\n"),
};

describe("log replay tolerates what Delta's readers tolerate", () => {
  let dir: string;
  let fixture: FixtureTable;
  let server: TestServer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-tolerant-"));
    fixture = (await writeFixtureTables(join(dir, "fixtures"))).checkpointed;
    const tables = [];
    for (const [name, change] of Object.entries(variants)) {
      const location = join(dir, name);
      await cp(fixture.location, location, { recursive: true, preserveTimestamps: true });
      await change(location, fixture);
      tables.push({ name, location });
    }
    server = await startTestServer({ shares: [{ name: "logs", schemas: [{ name: "s", tables }] }] });
  });

  after(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test("hints that lie, are corrupt or missing, unknown actions and fields: the same rows", async () => {
    const readable = Object.keys(variants).filter(
      (name) => !["corrupt_commit", "reader_version_99"].includes(name),
    );
    const answers = await batchWithClient(
      server.profilePath,
      readable.map((name) => ({ op: "load", table: `logs.s.${name}` })),
    );
    const expected = sortRows(fixture.versions[String(fixture.latestVersion)] ?? []);
    answers.forEach((answer, index) => {
      assert.ok(!("error" in answer), `${readable[index]}: ${String(answer.error)}`);
      assert.deepEqual(sortRows(answer.rows as Row[]), expected, readable[index]);
    });
    const version = await server.api("/shares/logs/schemas/s/tables/odd_actions/version");
    assert.equal(version.headers.get("delta-table-version"), String(fixture.latestVersion + 1));
  });

  test("a commit that is not JSON is refused with a 400 naming the file, and logged with the table", async () => {
    for (const path of ["version", "metadata"]) {
      const answer = await server.api(`/shares/logs/schemas/s/tables/corrupt_commit/${path}`);
      assert.equal(answer.status, 400);
      const body = (await answer.json()) as { errorCode: string; message: string };
      assert.equal(body.errorCode, "INVALID_TABLE_STATE");
      assert.match(body.message, new RegExp(commitName(fixture.latestVersion).replace(".", "\\.")));
    }
    assert.match(server.logs(), /"table":"corrupt_commit"[^\n]*not valid JSON/);
  });

  test("a reader version no Delta reader knows is refused by name, as delta-spark refuses it", async () => {
    const answer = await server.api("/shares/logs/schemas/s/tables/reader_version_99/query", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "delta-sharing-capabilities": "responseformat=delta,parquet",
      },
      body: "{}",
    });
    assert.equal(answer.status, 400);
    const body = (await answer.json()) as { errorCode: string; message: string };
    assert.equal(body.errorCode, "UNSUPPORTED_OPERATION", body.message);
    assert.match(body.message, /reader version 99/);
    assert.match(server.logs(), /"table":"reader_version_99"[^\n]*reader version 99/);
  });
});
