// Tables delta-spark wrote with partition values that need escaping (issue #12, defect 1): Spark
// names the directories with escapes (`s=A%2FA`, `ts=2021-11-18 02%3A30%3A00`) and logs them
// URI-encoded once more, so only a server that decodes the logged path finds the files. Read
// through the official Python client from local disk and from the S3 test server, equal to
// delta-spark's own read: the newest version, every older one, the change feed, and the delta
// format. And a reader-version-3 timestamp_ntz table (defect 3): a client that accepts both
// formats gets delta, which its Delta library reads.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { batchWithClient, type ClientRequest } from "../fixtures/recipient.ts";
import { type SparkSpecialTables, sparkSpecialTables } from "../fixtures/sparkSpecialTables.ts";
import { type Row, sortRows } from "../fixtures/tables.ts";
import { type S3Ground, startS3 } from "../ground/s3.ts";
import { startTestServer, type TestServer } from "./harness.ts";

const bucket = "escaped";

function rowsOf(answer: Record<string, unknown>): Row[] {
  if ("error" in answer) throw new Error(String(answer.error));
  return sortRows(answer.rows as Row[]);
}

/** Change rows without the commit time: copies in S3 carry upload times as file times. */
const untimed = (rows: Row[]) => sortRows(rows.map(({ _commit_timestamp: _t, ...row }) => row));

describe("partition values that need escaping, written by delta-spark", () => {
  let dir: string;
  let tables: SparkSpecialTables;
  let s3: S3Ground;
  let server: TestServer;
  let uploaded: string[];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-escaped-"));
    [tables, s3] = await Promise.all([sparkSpecialTables(dir), startS3()]);
    await s3.createBucket(bucket);
    uploaded = await s3.uploadDirectory(join(dir, "tables"), bucket, "tables");
    process.env.AWS_ACCESS_KEY_ID = s3.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = s3.secretAccessKey;
    const names = ["special", "ntz"] as const;
    server = await startTestServer({
      s3: { endpoint: s3.endpoint, forcePathStyle: true, region: s3.region },
      shares: [
        {
          name: "local",
          schemas: [
            {
              name: "spark",
              tables: names.map((name) => ({ name, location: tables[name].location, historyShared: true })),
            },
          ],
        },
        {
          name: "cloud",
          schemas: [
            {
              name: "spark",
              tables: names.map((name) => ({
                name,
                location: `s3://${bucket}/tables/${name}`,
                historyShared: true,
              })),
            },
          ],
        },
      ],
    });
  });

  after(async () => {
    await server?.stop();
    await s3?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test("the S3 test server holds every key Spark wrote, escapes and non-ASCII included", () => {
    const special = uploaded.filter((key) => key.startsWith("tables/special/") && key.endsWith(".parquet"));
    assert.ok(
      special.some((key) => key.includes("s=A%2FA/")),
      "no escaped slash directory",
    );
    assert.ok(
      special.some((key) => key.includes("ts=2021-11-18 02%3A30%3A00/")),
      "no escaped timestamp directory",
    );
    assert.ok(
      special.some((key) => key.includes("s=héllo wörld ✓ 日本/")),
      "no non-ASCII directory",
    );
  });

  for (const share of ["local", "cloud"]) {
    test(`${share}: the newest version and every older one read equal to delta-spark`, async () => {
      const table = tables.special;
      const requests: ClientRequest[] = [];
      const expected: Row[][] = [];
      requests.push({ op: "load", table: `${share}.spark.special` });
      expected.push(sortRows(table.versions[String(table.latestVersion)] ?? []));
      for (let version = 0; version <= table.latestVersion; version++) {
        requests.push({ op: "load", table: `${share}.spark.special`, version });
        expected.push(sortRows(table.versions[String(version)] ?? []));
      }
      const answers = await batchWithClient(server.profilePath, requests);
      answers.forEach((answer, index) => {
        assert.deepEqual(rowsOf(answer), expected[index], JSON.stringify(requests[index]));
      });
    });

    test(`${share}: the change feed reads equal to delta-spark's`, async () => {
      const table = tables.special;
      const [changes] = await batchWithClient(server.profilePath, [
        { op: "changes", table: `${share}.spark.special`, starting_version: 0 },
      ]);
      const truth = table.changes ?? [];
      assert.ok(truth.some((row) => row._change_type === "update_postimage"));
      assert.ok(truth.some((row) => row._change_type === "delete"));
      // local copies keep delta-spark's file times, so the commit times compare too
      if (share === "local") assert.deepEqual(rowsOf(changes ?? {}), sortRows(truth));
      else assert.deepEqual(untimed(rowsOf(changes ?? {})), untimed(truth));
    });
  }

  for (const share of ["local", "cloud"]) {
    test(`${share}: the delta response format reads equal to delta-spark, snapshots and changes`, async () => {
      const table = tables.special;
      const requests: ClientRequest[] = [];
      const expected: Row[][] = [];
      for (let version = 1; version <= table.latestVersion; version++) {
        requests.push({ op: "load", table: `${share}.spark.special`, version, use_delta_format: true });
        expected.push(sortRows(table.versions[String(version)] ?? []));
      }
      requests.push({ op: "load", table: `${share}.spark.special`, use_delta_format: true });
      expected.push(sortRows(table.versions[String(table.latestVersion)] ?? []));
      const answers = await batchWithClient(server.profilePath, [
        ...requests,
        { op: "changes", table: `${share}.spark.special`, starting_version: 0, use_delta_format: true },
      ]);
      answers.slice(0, requests.length).forEach((answer, index) => {
        assert.deepEqual(rowsOf(answer), expected[index], JSON.stringify(requests[index]));
      });
      assert.deepEqual(untimed(rowsOf(answers.at(-1) ?? {})), untimed(table.changes ?? []));
    });
  }

  test("a reader-version-3 timestamp_ntz table answers delta to a client that takes both, and reads equal", async () => {
    for (const share of ["local", "cloud"]) {
      const response = await server.api(`/shares/${share}/schemas/spark/tables/ntz/query`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "delta-sharing-capabilities": "responseformat=delta,parquet;readerfeatures=timestampntz",
        },
        body: "{}",
      });
      await response.text();
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("delta-sharing-capabilities"), "responseformat=delta");
      const special = await server.api(`/shares/${share}/schemas/spark/tables/special/metadata`, {
        headers: { "delta-sharing-capabilities": "responseformat=delta,parquet" },
      });
      await special.text();
      assert.equal(special.headers.get("delta-sharing-capabilities"), "responseformat=parquet");
    }
    const table = tables.ntz;
    const [read] = await batchWithClient(server.profilePath, [{ op: "load", table: "cloud.spark.ntz" }]);
    assert.deepEqual(rowsOf(read ?? {}), sortRows(table.versions[String(table.latestVersion)] ?? []));
  });
});
