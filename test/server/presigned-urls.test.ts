// Presigned URLs live exactly as long as the server says: they work while valid, S3 (and our own
// file route) refuse them after, and credentials that expire sooner shorten them truthfully.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type Expected, writeFixtureTables } from "../fixtures/tables.ts";
import { type S3Ground, startS3 } from "../ground/s3.ts";
import { startCloudAndDiskServer } from "./cloudAndDisk.ts";
import type { TestServer } from "./harness.ts";
import { queryFiles } from "./query.ts";

const bucket = "expiring";

describe("presigned URL lifetime", () => {
  let dir: string;
  let s3: S3Ground;
  let server: TestServer;
  let expected: Expected;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-expiry-"));
    [expected, s3] = await Promise.all([writeFixtureTables(join(dir, "tables")), startS3()]);
    server = await startCloudAndDiskServer(s3, join(dir, "tables"), "small", bucket, {
      preSignedUrlTimeoutSeconds: 2,
    });
  });

  after(async () => {
    await server?.stop();
    await s3?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  for (const table of ["cloud", "disk"]) {
    test(`${table}: a URL works while valid and is refused after its lifetime`, async () => {
      const before = Date.now();
      const { files } = await queryFiles(server, `s/d/${table}`);
      assert.ok(files.length > 0);
      const [file] = files;
      assert.ok(file);
      assert.ok(file.expirationTimestamp >= before + 2000 && file.expirationTimestamp <= Date.now() + 2000);
      const fresh = await fetch(file.url, { headers: { range: "bytes=0-3" } });
      assert.equal(fresh.status, 206);
      assert.equal(Buffer.from(await fresh.arrayBuffer()).toString("latin1"), "PAR1");
      await sleep(Math.max(0, file.expirationTimestamp - Date.now()) + 1500);
      const stale = await fetch(file.url);
      assert.equal(stale.status, 403);
      await stale.body?.cancel();
      assert.equal(expected.small.fileCounts[String(expected.small.latestVersion)], files.length);
    });
  }
});
