// `npm start` on a fresh clone serves the bundled sample share from local disk, and the official
// Python client reads every sample table through it, equal to deltalake's own read.
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { listWithClient, loadWithClient } from "../fixtures/recipient.ts";
import { readTable, sortRows } from "../fixtures/tables.ts";
import { repoRoot } from "../ground/paths.ts";
import { freePort } from "../ground/ports.ts";
import { type RunningProcess, startProcess } from "../ground/process.ts";

const samples = join(repoRoot, "examples", "sample", "tables");

describe("npm start", () => {
  let dir: string;
  let started: RunningProcess;
  let profile: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-start-"));
    const port = await freePort();
    started = await startProcess({
      name: "npm start",
      command: "npm",
      args: ["start", "--silent", "--", "--port", String(port), "--dir", dir],
      cwd: repoRoot,
      ready: (output) => /Recipient profile: (\S+)/.test(output),
      readyTimeoutMs: 60_000,
    });
    profile = /Recipient profile: (\S+)/.exec(started.output())?.[1] ?? "";
  });

  after(async () => {
    await started?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test("serves the sample share and the Python client reads every table", async () => {
    assert.equal(profile, join(dir, "sample.share"));
    assert.match(started.output(), /load_as_pandas\('.*sample\.share#sample\.default\.\w+'\)/);
    const entries = await readdir(samples, { withFileTypes: true });
    const tables = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    const listing = await listWithClient(profile);
    assert.deepEqual(listing.tables["sample.default"], tables.sort());
    for (const table of tables) {
      const [read, truth] = await Promise.all([
        loadWithClient(profile, `sample.default.${table}`),
        readTable(join(samples, table)),
      ]);
      assert.ok(read.rows.length > 0);
      assert.deepEqual(
        sortRows(read.rows),
        sortRows(truth.versions[String(truth.latestVersion)] ?? []),
        table,
      );
    }
  });
});
