// The columnar snapshot (leaf columns of the checkpoint, commits as an overlay, lines written from
// precomputed parts) answers exactly as the replay it replaced: checkpoint rows read as objects by
// hyparquet, commits applied to a Map by key, lines made by JSON.stringify. Every version of every
// fixture table: deltalake's, delta-spark's (deletion vectors, column mapping, CDF, schema change,
// vacuum) and the synthetic many-files tables (multi-part checkpoint, JSON-only log).
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { AddFile } from "../../../server/delta/actions.ts";
import type { ActiveFiles } from "../../../server/delta/activeFiles.ts";
import { readParquetCheckpointRows } from "../../../server/delta/checkpointReader.ts";
import { FileView } from "../../../server/delta/fileView.ts";
import { fileKey, type Snapshot } from "../../../server/delta/snapshot.ts";
import {
  listLog,
  loadSnapshot,
  readCommitActions,
  refreshSnapshot,
  usableCheckpoint,
} from "../../../server/delta/snapshotLoader.ts";
import { fileId } from "../../../server/protocol/fileIds.ts";
import { fileLine, fileLineText } from "../../../server/protocol/parquetLines.ts";
import { FileUrlCodec } from "../../../server/storage/fileUrls.ts";
import { LocalTableStorage } from "../../../server/storage/localStorage.ts";
import type { TableStorage } from "../../../server/storage/storage.ts";
import { sparkFixtureTables } from "../../fixtures/sparkTables.ts";
import { generateManyFiles, writeFixtureTables } from "../../fixtures/tables.ts";

/** The replay this project used before the columns: every add of the checkpoint as a row object. */
interface Replayed {
  files: Map<string, AddFile>;
  state: Record<string, unknown>;
}

/** Protocol and metadata as hyparquet assembles checkpoint rows, then as commits change them. */
async function rowReplay(storage: TableStorage, version: number): Promise<Replayed> {
  const listing = await listLog(storage, 0);
  const checkpoint = usableCheckpoint(listing, version);
  const files = new Map<string, AddFile>();
  const state: Record<string, unknown> = {};
  for (const part of checkpoint ?? []) {
    const actions =
      part.kind === "v2checkpoint" && part.format === "json"
        ? await readCommitActions(storage, part)
        : readParquetCheckpointRows(storage, part.path);
    for await (const action of actions) {
      if (action.kind === "add") files.set(fileKey(action.add), action.add);
      if (action.kind === "metaData") state.metadata = action.metaData;
      if (action.kind === "protocol") state.protocol = action.protocol;
      if (action.kind === "sidecar") {
        const path = action.sidecar.path.includes("/")
          ? action.sidecar.path
          : `_delta_log/_sidecars/${action.sidecar.path}`;
        for await (const inner of readParquetCheckpointRows(storage, path)) {
          if (inner.kind === "add") files.set(fileKey(inner.add), inner.add);
        }
      }
    }
  }
  for (let next = (checkpoint?.[0]?.version ?? -1) + 1; next <= version; next++) {
    const commit = listing.commits.get(next);
    if (!commit) throw new Error(`no commit ${next}`);
    for (const action of await readCommitActions(storage, commit)) {
      if (action.kind === "add") files.set(fileKey(action.add), action.add);
      if (action.kind === "remove") files.delete(fileKey(action.remove));
      if (action.kind === "metaData") state.metadata = action.metaData;
      if (action.kind === "protocol") state.protocol = action.protocol;
    }
  }
  return { files, state };
}

const byKey = (files: Iterable<AddFile>) =>
  new Map([...files].map((file) => [fileKey(file), JSON.parse(JSON.stringify(file))]));

function assertSameFiles(snapshot: Snapshot, replayed: Replayed, what: string): void {
  assert.deepEqual(
    JSON.parse(JSON.stringify({ metadata: snapshot.metadata, protocol: snapshot.protocol })),
    JSON.parse(JSON.stringify(replayed.state)),
    `${what}: protocol and metadata`,
  );
  const expected = replayed.files;
  // as loaded (columns plus the commits' files as objects), and with every file in columns
  assertSameActiveFiles(snapshot.files, expected, what);
  assertSameActiveFiles(snapshot.files.compacted(), expected, `${what} compacted`);
}

function assertSameActiveFiles(files: ActiveFiles, expected: Map<string, AddFile>, what: string): void {
  assert.equal(files.size, expected.size, `${what}: number of files`);
  assert.deepEqual(byKey(files.values()), byKey(expected.values()), `${what}: files`);
  let total = 0;
  for (const file of expected.values()) total += file.size;
  assert.equal(files.totalSize, total, `${what}: table size`);
  for (const key of expected.keys()) assert.ok(files.has(key), `${what}: has ${key}`);
  assert.equal(files.has("no-such-file.parquet"), false);
  const order = [...files.keyOrder()].map((handle) => files.keyOf(handle));
  assert.deepEqual(order, [...expected.keys()].sort(), `${what}: key order`);
  const view = new FileView(files);
  const signed = { url: "https://example.test/a%20b?X-Amz-Signature=1", expiresAt: 1_700_000_000_123 };
  for (const handle of files.handles()) {
    view.at(handle);
    const file = expected.get(files.keyOf(handle)) as AddFile;
    assert.deepEqual(JSON.parse(JSON.stringify(view.file())), JSON.parse(JSON.stringify(file)));
    assert.equal(view.stats, file.stats);
    assert.deepEqual(view.partitionValues, file.partitionValues);
    if (view.deletionVector) continue; // parquet-format lines are never made for these
    const id = fileId(file.path, "parquet");
    if (view.fileIdHex !== undefined) assert.equal(view.fileIdHex, id, `${what}: precomputed id`);
    for (const stamp of [undefined, { version: 3 }, { version: 3, timestamp: 1_600_000_000_000 }]) {
      const line = fileLine(file, { ...signed, id, ...(stamp ? { version: stamp } : {}) });
      assert.equal(
        fileLineText(view, { ...signed, id: view.fileIdHex ?? id }, stamp),
        `${JSON.stringify(line)}\n`,
        `${what}: line of ${file.path}`,
      );
    }
  }
}

async function checkEveryVersion(location: string, latest: number, what: string): Promise<void> {
  const storage = new LocalTableStorage(location, location, "t", new FileUrlCodec(Buffer.alloc(32)));
  let previous: Snapshot | undefined;
  let checked = 0;
  for (let version = 0; version <= latest; version++) {
    let expected: Replayed;
    try {
      expected = await rowReplay(storage, version);
    } catch {
      continue; // a version the log can no longer rebuild (vacuumed, cleaned up)
    }
    const snapshot = await loadSnapshot(storage, version);
    assertSameFiles(snapshot, expected, `${what} v${version}`);
    checked++;
    // an incremental refresh from the version before gives the same files
    if (previous && previous.version === version - 1) {
      const refreshed = await refreshSnapshot(storage, previous);
      if (refreshed.version === latest)
        assertSameFiles(refreshed, await rowReplay(storage, latest), `${what} refreshed`);
    }
    previous = snapshot;
  }
  // the newest version is always readable: a table none of whose versions was compared is a failure
  assert.ok(checked > 0, `${what}: no version was compared`);
}

describe("columnar snapshots answer as the row replay did", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-columnar-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("deltalake fixture tables, every version", async () => {
    const tables = await writeFixtureTables(join(dir, "deltalake"));
    for (const [name, table] of Object.entries(tables)) {
      await checkEveryVersion(table.location, table.latestVersion, name);
    }
  });

  test("delta-spark fixture tables (deletion vectors, column mapping, CDF, vacuum), every version", async () => {
    await mkdir(join(dir, "spark"));
    const tables = await sparkFixtureTables(join(dir, "spark"));
    for (const [name, table] of Object.entries(tables)) {
      if (name === "seconds") continue;
      const { location, latestVersion } = table as { location: string; latestVersion: number };
      await checkEveryVersion(location, latestVersion, name);
    }
  });

  test("synthetic many-files tables: multi-part checkpoint with a tail, and a JSON-only log", async () => {
    const multi = await generateManyFiles(join(dir, "multi"), 3000, { parts: 3 });
    await checkEveryVersion(multi.location, 1, "multi-part");
    const log = await generateManyFiles(join(dir, "log-only"), 5000, { links: "none", json: false });
    await checkEveryVersion(log.location, 1, "checkpoint without its JSON");
  });
});
