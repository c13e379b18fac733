// The golden tables of the Delta Lake project, tables this project did not write, served from
// local disk and from the test ground's S3: each reads through the official Python client equal
// to delta-spark's own read, or is refused with a 4xx JSON error where delta-spark refuses it, or
// fails in a way named and shown by the raw answer (verdicts.ts); and no request answers 5xx.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type S3Ground, startS3 } from "../ground/s3.ts";
import { startTestServer, type TestServer } from "../server/harness.ts";
import { type CorpusRead, type CorpusShare, corpusSchema, readCorpus } from "./corpusReads.ts";
import { corpusDir, corpusEntries, sparkTruth } from "./goldenCorpus.ts";
import { rawQuery } from "./rawAnswers.ts";
import { countLine } from "./verdicts.ts";

const bucket = "golden";
const prefix = "delta-golden";
const entries = corpusEntries();
const shares: CorpusShare[] = [
  { name: "local", keepsCommitTimes: true },
  // S3 reports upload times as the commit times of tables without in-commit timestamps
  { name: "s3", keepsCommitTimes: false },
];

const tablesOf = (root: string) =>
  entries.map((entry) => ({ name: entry.name, location: `${root}/${entry.path}`, historyShared: true }));

async function statusCounts(server: TestServer): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const value of (await server.running.operations.metrics.requests.get()).values) {
    const status = String(value.labels.status);
    counts.set(status, (counts.get(status) ?? 0) + value.value);
  }
  return counts;
}

describe("the golden tables read through the server as delta-spark reads them", () => {
  let s3: S3Ground;
  let server: TestServer;
  let reads: CorpusRead[] = [];
  const seconds: Record<string, number> = {};

  before(async () => {
    let mark = performance.now();
    const lap = (name: string) => {
      seconds[name] = Math.round((performance.now() - mark) / 100) / 10;
      mark = performance.now();
    };
    const [truth, ground] = await Promise.all([sparkTruth(entries), startS3()]);
    s3 = ground;
    lap("truth");
    await s3.createBucket(bucket);
    await s3.uploadDirectory(corpusDir, bucket, prefix);
    lap("upload");
    process.env.AWS_ACCESS_KEY_ID = s3.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = s3.secretAccessKey;
    server = await startTestServer({
      s3: { endpoint: s3.endpoint, forcePathStyle: true, region: s3.region },
      shares: [
        { name: "local", schemas: [{ name: corpusSchema, tables: tablesOf(corpusDir) }] },
        { name: "s3", schemas: [{ name: corpusSchema, tables: tablesOf(`s3a://${bucket}/${prefix}`) }] },
      ],
    });
    const run = await readCorpus(server.api, server.profilePath, shares, entries, truth);
    reads = run.reads;
    Object.assign(seconds, run.seconds);
  });

  after(async () => {
    await server?.stop();
    await s3?.stop();
  });

  for (const share of shares) {
    for (const entry of entries) {
      test(`${share.name}: ${entry.path}`, (t) => {
        const mine = reads.filter((read) => read.share === share.name && read.table === entry.name);
        assert.ok(mine.length > 0, "the table was not read");
        for (const read of mine) {
          t.diagnostic(`${read.check}: ${read.verdict.kind}: ${read.verdict.detail}`);
          assert.notEqual(read.verdict.kind, "failure", `${read.check}: ${read.verdict.detail}`);
        }
      });
    }
  }

  // VACUUM removed the files of versions 0-4 (delta-spark fails on them with FILE_NOT_EXIST): the
  // server still answers those versions from the log, and the file URLs answer 404
  test("snapshot-vacuumed: its vacuumed versions answer from the log, their file URLs 404", async () => {
    for (const share of shares) {
      for (const version of [0, 1, 2, 3, 4]) {
        const coordinates = { share: share.name, schema: corpusSchema, table: "snapshot-vacuumed" };
        const answer = await rawQuery(server.api, coordinates, version);
        const where = `${share.name} version ${version}`;
        assert.equal(answer.status, 200, `${where}: ${answer.error?.text}`);
        assert.equal(answer.version, version, where);
        assert.ok(answer.files.length > 0, `${where}: no files`);
        assert.deepEqual(
          answer.files.map((file) => file.status),
          answer.files.map(() => 404),
          where,
        );
      }
    }
  });

  test("no request answered 5xx", async (t) => {
    const counts = await statusCounts(server);
    t.diagnostic(`statuses: ${[...counts].map(([status, n]) => `${status} ×${n}`).join(", ")}`);
    const errors = [...counts].filter(([status]) => Number(status) >= 500);
    assert.deepEqual(errors, [], "the server answered 5xx");
    const counted = [...counts.values()].reduce((sum, n) => sum + n, 0);
    assert.ok(counted >= reads.length, `the metrics counted ${counted} requests for ${reads.length} reads`);
  });

  test("summary", (t) => {
    for (const share of shares) {
      const verdicts = reads.filter((read) => read.share === share.name).map((read) => read.verdict);
      const line = `golden corpus, ${share.name}: ${countLine(verdicts)} (${verdicts.length} reads of ${entries.length} folders)`;
      t.diagnostic(line);
      console.log(line);
    }
    t.diagnostic(`seconds: ${JSON.stringify(seconds)}`);
    const failures = reads.filter((read) => read.verdict.kind === "failure");
    assert.deepEqual(
      failures.map((read) => `${read.share} ${read.table} ${read.check}: ${read.verdict.detail}`),
      [],
    );
  });
});
