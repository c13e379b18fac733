// A v2 checkpoint as delta-spark writes it (UUID-named, its adds in sidecar files): the snapshot
// holds exactly the files delta-spark's own snapshot holds; also when its sidecars are logged by
// absolute, percent-encoded URIs as other writers may log them, and a sidecar outside
// _delta_log/_sidecars is refused.
import assert from "node:assert/strict";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { loadSnapshot } from "../../../server/delta/snapshotLoader.ts";
import { FileUrlCodec } from "../../../server/storage/fileUrls.ts";
import { LocalTableStorage } from "../../../server/storage/localStorage.ts";
import { PathRefusedError } from "../../../server/storage/loggedPath.ts";
import { runPythonJson } from "../../ground/python.ts";
import { runSparkJson, sparkJars } from "../../ground/spark.ts";

interface Written {
  files: string[];
  rows: Record<string, unknown>[];
  log: string[];
  sidecars: string[];
}

describe("v2 checkpoints with sidecars", () => {
  let dir: string;
  let written: Written;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-v2cp-"));
    written = await runSparkJson<Written>("test/fixtures/spark_v2_checkpoint.py", [
      join(dir, "t"),
      sparkJars(),
    ]);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test("the snapshot equals delta-spark's", async () => {
    assert.ok(
      written.log.some((name) => /^\d{20}\.checkpoint\.[0-9a-f-]{36}\.(json|parquet)$/.test(name)),
      `no v2 checkpoint in ${written.log.join(", ")}`,
    );
    assert.ok(written.sidecars.length > 0, "the checkpoint has no sidecars");
    const location = join(dir, "t");
    const snapshot = await loadSnapshot(
      new LocalTableStorage(location, location, "t", new FileUrlCodec(Buffer.alloc(32))),
    );
    const ours = [...snapshot.files.values()].map((file) => decodeURIComponent(file.path)).sort();
    assert.deepEqual(ours, written.files);
    assert.equal(snapshot.version, 6);
  });

  // other writers log a sidecar by its absolute URI (percent-encoded like every logged path)
  test("a sidecar logged by its absolute, percent-encoded URI reads the same; one outside _sidecars is refused", async () => {
    const copy = async (name: string, mode: string) => {
      const location = join(dir, name);
      await cp(join(dir, "t"), location, { recursive: true });
      const { sidecars } = await runPythonJson<{ sidecars: string[] }>("test/fixtures/sidecar_paths.py", [
        location,
        mode,
      ]);
      return { location, sidecars };
    };
    const open = (location: string) =>
      loadSnapshot(new LocalTableStorage(location, location, "t", new FileUrlCodec(Buffer.alloc(32))));

    const encoded = await copy("encoded", "absolute-encoded");
    assert.ok(encoded.sidecars.every((path) => path.startsWith("file:///") && path.includes("%20")));
    const snapshot = await open(encoded.location);
    const ours = [...snapshot.files.values()].map((file) => decodeURIComponent(file.path)).sort();
    assert.deepEqual(ours, written.files);

    const outside = await copy("outside", "outside");
    await assert.rejects(open(outside.location), PathRefusedError);
  });
});
