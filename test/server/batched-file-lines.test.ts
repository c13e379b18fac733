// An unpaged parquet-format /query signs its files a batch at a time (on the signing thread, for
// S3) and writes the lines of one batch while the next is signed. Its file lines are byte for byte
// the lines of the one-file-at-a-time loop (which paged queries use), across batch boundaries, on a
// table read from a multi-part checkpoint and its JSON tail, from S3 and from disk; and the cloud
// answer's URLs work.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { generateManyFiles } from "../fixtures/tables.ts";
import { type S3Ground, startS3 } from "../ground/s3.ts";
import { startCloudAndDiskServer } from "./cloudAndDisk.ts";
import type { TestServer } from "./harness.ts";

// more than two signing batches of 1024, the last one partial
const files = 2600;
const bucket = "batched";

async function fileLines(server: TestServer, table: string, body: unknown): Promise<string[]> {
  const response = await server.api(`/shares/s/schemas/d/tables/${table}/query`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  assert.equal(response.status, 200, text.slice(0, 500));
  return text.split("\n").filter((line) => line.startsWith('{"file":'));
}

describe("batched file lines", () => {
  let dir: string;
  let s3: S3Ground;
  let server: TestServer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-batched-"));
    const [table, ground] = await Promise.all([
      generateManyFiles(join(dir, "many"), files, { parts: 3, links: "hardlink" }),
      startS3(),
    ]);
    s3 = ground;
    server = await startCloudAndDiskServer(s3, dir, "many", bucket, {});
    assert.equal(table.location, join(dir, "many"));
  });

  after(async () => {
    await server?.stop();
    await s3?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  for (const table of ["cloud", "disk"]) {
    test(`${table}: the same lines as one file at a time, in the same order of files`, async () => {
      const batched = await fileLines(server, table, {});
      // a page as large as the table: the per-file loop, in key order; URLs reused, so equal
      const single = await fileLines(server, table, { maxFiles: files * 2 });
      assert.equal(batched.length, files);
      assert.deepEqual([...batched].sort(), [...single].sort());
      const again = await fileLines(server, table, {});
      assert.deepEqual(again, batched, "the unpaged order is the snapshot's, every time");
    });
  }

  test("cloud: the URLs of every batch work", async () => {
    const lines = await fileLines(server, "cloud", {});
    const picks = [0, 1, 1023, 1024, 1025, 2047, 2048, 2049, files - 1];
    for (const index of picks) {
      const { file } = JSON.parse(lines[index] as string) as { file: { url: string; size: number } };
      const response = await fetch(file.url);
      const body = new Uint8Array(await response.arrayBuffer());
      assert.equal(response.status, 200, `line ${index}: ${file.url}`);
      assert.equal(body.length, file.size);
    }
  });
});
