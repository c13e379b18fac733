// The official Python client reads every fixture table through our server, from local disk and
// from the S3 test server, equal to deltalake's own read of the same version.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  listWithClient,
  loadWithClient,
  metadataWithClient,
  versionWithClient,
} from "../fixtures/recipient.ts";
import { type Expected, fixtureNames, type Row, sortRows, writeFixtureTables } from "../fixtures/tables.ts";
import { type S3Ground, startS3 } from "../ground/s3.ts";
import { startTestServer, type TestServer } from "./harness.ts";

const bucket = "shared-tables";

function tablesOf(root: string, history: boolean) {
  return fixtureNames.map((name) => ({ name, location: `${root}/${name}`, historyShared: history }));
}

const jsonHint = (op: string, column: string, valueType: string, value: string) =>
  JSON.stringify({
    op,
    children: [
      { op: "column", name: column, valueType },
      { op: "literal", value, valueType },
    ],
  });

describe("the official Python client reads through the server", () => {
  let dir: string;
  let expected: Expected;
  let s3: S3Ground;
  let server: TestServer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-client-"));
    [expected, s3] = await Promise.all([writeFixtureTables(join(dir, "tables")), startS3()]);
    await s3.createBucket(bucket);
    await s3.uploadDirectory(join(dir, "tables"), bucket, "tables");
    process.env.AWS_ACCESS_KEY_ID = s3.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = s3.secretAccessKey;
    server = await startTestServer({
      s3: { endpoint: s3.endpoint, forcePathStyle: true, region: s3.region },
      shares: [
        { name: "local", schemas: [{ name: "fixtures", tables: tablesOf(join(dir, "tables"), true) }] },
        { name: "cloud", schemas: [{ name: "fixtures", tables: tablesOf(`s3a://${bucket}/tables`, false) }] },
      ],
    });
  });

  after(async () => {
    await server?.stop();
    await s3?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test("lists shares, schemas, tables and all tables", async () => {
    const listing = await listWithClient(server.profilePath);
    assert.deepEqual(listing.shares, ["local", "cloud"]);
    assert.deepEqual(listing.schemas, { local: ["fixtures"], cloud: ["fixtures"] });
    assert.deepEqual(listing.tables["local.fixtures"], fixtureNames);
    assert.deepEqual(listing.allTables.cloud, fixtureNames.map((name) => `fixtures.${name}`).sort());
  });

  for (const share of ["local", "cloud"]) {
    for (const name of fixtureNames) {
      test(`${share}: ${name} reads equal to deltalake at its newest version`, async () => {
        const table = expected[name];
        const coordinates = `${share}.fixtures.${name}`;
        const [read, version, metadata] = await Promise.all([
          loadWithClient(server.profilePath, coordinates),
          versionWithClient(server.profilePath, coordinates),
          metadataWithClient(server.profilePath, coordinates),
        ]);
        assert.equal(version, table.latestVersion);
        assert.deepEqual(metadata.partitionColumns, table.partitionColumns);
        assert.deepEqual(JSON.parse(metadata.schemaString), table.schema);
        assert.deepEqual(sortRows(read.rows), sortRows(table.versions[String(table.latestVersion)] ?? []));
      });
    }
  }

  test("limit returns that many of the table's rows", async () => {
    const all = expected.partitioned.versions[String(expected.partitioned.latestVersion)] ?? [];
    const read = await loadWithClient(server.profilePath, "cloud.fixtures.partitioned", { limit: 2 });
    assert.equal(read.rows.length, 2);
    const keys = new Set(all.map((row) => JSON.stringify(row, Object.keys(row).sort())));
    for (const row of read.rows) assert.ok(keys.has(JSON.stringify(row, Object.keys(row).sort())));
  });

  test("a partition predicate hint returns the matching partition only", async () => {
    const all = expected.partitioned.versions[String(expected.partitioned.latestVersion)] ?? [];
    const day = String(all[0]?.day);
    const hint = jsonHint("equal", "day", "date", day);
    const read = await loadWithClient(server.profilePath, "local.fixtures.partitioned", {
      jsonPredicateHints: hint,
    });
    assert.deepEqual(sortRows(read.rows), sortRows(all.filter((row) => row.day === day)));
  });

  test("a data-column predicate hint prunes by statistics and never drops a match", async () => {
    const all = expected.small.versions[String(expected.small.latestVersion)] ?? [];
    const ids = all.map((row) => Number(row.id)).sort((a, b) => a - b);
    const highest = ids[ids.length - 1] ?? 0;
    const none = await loadWithClient(server.profilePath, "cloud.fixtures.small", {
      jsonPredicateHints: jsonHint("greaterThan", "id", "long", String(highest)),
    });
    assert.deepEqual(none.rows, []);
    const some = await loadWithClient(server.profilePath, "local.fixtures.small", {
      jsonPredicateHints: jsonHint("greaterThanOrEqual", "id", "long", String(highest)),
    });
    const matching = all.filter((row) => Number(row.id) >= highest);
    const returned = new Set(some.rows.map((row: Row) => JSON.stringify(row, Object.keys(row).sort())));
    for (const row of matching) assert.ok(returned.has(JSON.stringify(row, Object.keys(row).sort())));
    assert.ok(some.rows.length < all.length, "the statistics pruned no file");
  });

  test("an older version of a table that shares its history", async () => {
    const table = expected.partitioned;
    for (let version = 0; version <= table.latestVersion; version++) {
      const read = await loadWithClient(server.profilePath, "local.fixtures.partitioned", { version });
      assert.deepEqual(
        sortRows(read.rows),
        sortRows(table.versions[String(version)] ?? []),
        `version ${version}`,
      );
    }
  });
});
