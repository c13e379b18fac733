// Checkpoints as writers leave them: a multi-part Parquet checkpoint with no JSON commit before it
// (log cleanup removed it), plus a JSON tail; the snapshot must equal what deltalake reads.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { loadSnapshot } from "../../../server/delta/snapshotLoader.ts";
import { FileUrlCodec } from "../../../server/storage/fileUrls.ts";
import { LocalTableStorage } from "../../../server/storage/localStorage.ts";
import { generateManyFiles, type ManyFilesTable } from "../../fixtures/tables.ts";

describe("checkpoints", () => {
  let dir: string;
  let table: ManyFilesTable;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-checkpoints-"));
    table = await generateManyFiles(join(dir, "t"), 3000, { parts: 3, json: false, links: "none" });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const storage = () =>
    new LocalTableStorage(table.location, table.location, "t", new FileUrlCodec(Buffer.alloc(32)));

  test("a three-part checkpoint without commit 0 plus a JSON tail", async () => {
    assert.equal(table.checkpointParts, 3);
    assert.equal(table.verified?.filesListed, table.files);
    const snapshot = await loadSnapshot(storage());
    assert.equal(snapshot.version, table.latestVersion);
    assert.equal(snapshot.files.size, table.files);
    let rows = 0;
    for (const file of snapshot.files.values()) rows += JSON.parse(file.stats ?? "{}").numRecords ?? 0;
    assert.equal(rows, table.files * table.rowsPerFile);
  });

  test("the checkpoint's own version is readable, a version before it is refused", async () => {
    const atCheckpoint = await loadSnapshot(storage(), table.checkpointVersion);
    assert.equal(atCheckpoint.files.size, table.files);
    if (table.checkpointVersion > 0) {
      await assert.rejects(
        loadSnapshot(storage(), table.checkpointVersion - 1),
        /can no longer be reconstructed/,
      );
    }
  });
});
