// Presigned URLs are reused across answers while at least the configured share of their lifetime
// remains, always with their true expiry: a reused URL is never handed out with less left, and it
// still works. The reuse cache stays within its byte bound.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { PresignedUrlCache } from "../../server/storage/presignedUrlCache.ts";
import { writeFixtureTables } from "../fixtures/tables.ts";
import { type S3Ground, startS3 } from "../ground/s3.ts";
import { startCloudAndDiskServer } from "./cloudAndDisk.ts";
import type { TestServer } from "./harness.ts";
import { queryFiles } from "./query.ts";

const lifetimeSeconds = 4;
const share = 0.5;
const bucket = "reuse";

describe("presigned URL reuse", () => {
  let dir: string;
  let s3: S3Ground;
  let server: TestServer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-reuse-"));
    [, s3] = await Promise.all([writeFixtureTables(join(dir, "tables")), startS3()]);
    server = await startCloudAndDiskServer(s3, join(dir, "tables"), "partitioned", bucket, {
      preSignedUrlTimeoutSeconds: lifetimeSeconds,
      preSignedUrlReuse: { minLifetimeShare: share, maxBytes: 1024 * 1024 },
    });
  });

  after(async () => {
    await server?.stop();
    await s3?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  for (const table of ["cloud", "disk"]) {
    test(`${table}: reused while at least ${share} of the lifetime remains, never with less`, async () => {
      const minRemainingMs = lifetimeSeconds * 1000 * share;
      const first = await queryFiles(server, `s/d/${table}`);
      const second = await queryFiles(server, `s/d/${table}`);
      assert.ok(first.files.length > 1);
      // at once: the same URLs with the same (true) expiry
      assert.deepEqual(
        second.files.map((file) => [file.id, file.url, file.expirationTimestamp]),
        first.files.map((file) => [file.id, file.url, file.expirationTimestamp]),
      );
      const firstUrls = new Set(first.files.map((file) => file.url));
      let fresh = 0;
      let reused = 0;
      const until = Date.now() + lifetimeSeconds * 1000 * 1.25;
      for (let round = 0; Date.now() < until && round < 200; round++) {
        const asked = Date.now();
        const answer = await queryFiles(server, `s/d/${table}`);
        for (const file of answer.files) {
          // handed out no earlier than `asked`, so at least this much of its life was left then
          assert.ok(
            file.expirationTimestamp - asked >= minRemainingMs,
            `a URL handed out with ${file.expirationTimestamp - asked} ms left`,
          );
          if (firstUrls.has(file.url)) reused++;
          else fresh++;
        }
        const end = answer.lines.at(-1)?.endStreamAction as
          | { minUrlExpirationTimestamp?: number }
          | undefined;
        if (end?.minUrlExpirationTimestamp !== undefined) {
          assert.equal(
            end.minUrlExpirationTimestamp,
            Math.min(...answer.files.map((f) => f.expirationTimestamp)),
          );
        }
        await sleep(100);
      }
      assert.ok(reused > 0, "URLs were reused while young enough");
      assert.ok(fresh > 0, "URLs were signed afresh once past the share of their lifetime");
      // a reused URL works: fetch the newest answer's first file
      const latest = await queryFiles(server, `s/d/${table}`);
      const again = await queryFiles(server, `s/d/${table}`);
      assert.equal(again.files[0]?.url, latest.files[0]?.url);
      const data = await fetch(again.files[0]?.url as string);
      assert.equal(data.status, 200);
      assert.equal((await data.arrayBuffer()).byteLength, again.files[0]?.size);
    });
  }

  test("the cache keeps within its byte bound; when full it keeps what it has until it ages out", () => {
    const cache = new PresignedUrlCache(10_000, share);
    const scope = cache.scope("t", 60_000);
    assert.ok(scope);
    const url = (i: number) => `https://bucket.example/${"x".repeat(100)}/${i}?sig=${i}`;
    const now = Date.now();
    for (let i = 0; i < 1000; i++) {
      scope.set(`p${i}`, url(i), now + 60_000);
      assert.ok(cache.bytes <= cache.maxBytes, `${cache.bytes} bytes held`);
    }
    // the answer that began with an empty cache does not look up what it set itself
    assert.equal(scope.get("p0", now), undefined);
    // the next answer of a scan larger than the cache finds the first URLs kept, instead of none
    const next = cache.scope("t", 60_000);
    assert.ok(next);
    assert.equal(next.get("p0", now)?.url, url(0));
    assert.equal(next.get("p999", now), undefined, "no room was made by dropping live URLs");
    assert.equal(next.get("p0", now + 30_001), undefined, "less than half its life left");
    // URLs already past their reuse window when kept make room for new ones, oldest first
    const aging = new PresignedUrlCache(10_000, share);
    const old = aging.scope("t", 60_000);
    assert.ok(old);
    for (let i = 0; i < 100; i++) old.set(`p${i}`, url(i), Date.now() + 1000);
    old.set("fresh", url(5000), Date.now() + 60_000);
    assert.equal(aging.scope("t", 60_000)?.get("fresh", Date.now())?.url, url(5000));
    assert.ok(aging.bytes <= aging.maxBytes);
    assert.equal(new PresignedUrlCache(0, share).scope("t", 60_000), undefined, "0 bytes: no reuse");
  });
});
