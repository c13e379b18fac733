// The snapshot cache brings a table up to date from the log tail alone: an unchanged table costs
// one listing and no reads, a new commit one small read, and the result equals a full load.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { SnapshotCache } from "../../../server/delta/snapshotCache.ts";
import { loadSnapshot } from "../../../server/delta/snapshotLoader.ts";
import { FileUrlCodec } from "../../../server/storage/fileUrls.ts";
import { LocalTableStorage } from "../../../server/storage/localStorage.ts";
import type { StoredObject, TableStorage } from "../../../server/storage/storage.ts";
import { appendRows, type Expected, writeFixtureTables } from "../../fixtures/tables.ts";

/** The real local storage, with a count of what is asked of it. */
function counted(storage: TableStorage) {
  const counts = { list: 0, read: 0, open: 0 };
  const wrapped: TableStorage = {
    location: storage.location,
    list(dir: string, startAfter?: string): AsyncIterable<StoredObject> {
      counts.list++;
      return storage.list(dir, startAfter);
    },
    read(path: string) {
      counts.read++;
      return storage.read(path);
    },
    open(path: string, size?: number) {
      counts.open++;
      return storage.open(path, size);
    },
    exists: (path) => storage.exists(path),
    urlSigner: (ttl, base) => storage.urlSigner(ttl, base),
    probe: () => storage.probe(),
    folders: (limit) => storage.folders(limit),
  };
  return { storage: wrapped, counts };
}

describe("snapshot cache", () => {
  let dir: string;
  let expected: Expected;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-cache-"));
    expected = await writeFixtureTables(dir);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test("reads the checkpoint and the JSON tail on a cold load", async () => {
    const location = join(dir, "checkpointed");
    const { storage, counts } = counted(
      new LocalTableStorage(location, location, "t", new FileUrlCodec(Buffer.alloc(32))),
    );
    const snapshot = await loadSnapshot(storage);
    const table = expected.checkpointed;
    assert.equal(snapshot.version, table.latestVersion);
    assert.equal(snapshot.files.size, table.fileCounts[String(table.latestVersion)]);
    assert.equal(counts.open, 1, "the Parquet checkpoint is opened once");
    assert.equal(
      counts.read,
      1 + table.latestVersion - (table.checkpointVersion ?? 0),
      "_last_checkpoint and the tail",
    );
  });

  test("an unchanged table is not re-read and a new commit costs one read", async () => {
    const location = join(dir, "partitioned");
    const { storage, counts } = counted(
      new LocalTableStorage(location, location, "p", new FileUrlCodec(Buffer.alloc(32))),
    );
    const cache = new SnapshotCache(10);
    const first = await cache.latest("p", storage);
    Object.assign(counts, { list: 0, read: 0, open: 0 });
    const again = await cache.latest("p", storage);
    assert.equal(again, first, "the same snapshot object comes back");
    assert.deepEqual(counts, { list: 1, read: 0, open: 0 });

    const rows = expected.partitioned.versions[String(expected.partitioned.latestVersion)] ?? [];
    const version = await appendRows(location, [{ ...rows[0], amount: 12345 }]);
    Object.assign(counts, { list: 0, read: 0, open: 0 });
    const updated = await cache.latest("p", storage);
    assert.deepEqual(counts, { list: 1, read: 1, open: 0 });
    assert.equal(updated.version, version);
    const full = await loadSnapshot(storage);
    assert.deepEqual([...updated.files.keys()].sort(), [...full.files.keys()].sort());
    assert.deepEqual(updated.metadata, full.metadata);
  });
});
