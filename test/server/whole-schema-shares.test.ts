// Whole-schema shares (issue #17): a schema names a folder instead of tables, and every Delta
// table under it (a folder with _delta_log/) is shared under its folder name with the schema's
// history and partition filter options, including tables created after the server started: found
// on demand (a request naming or listing them) and on the schedule, and reported on the ops port.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { batchWithClient, listWithClient } from "../fixtures/recipient.ts";
import { type Row, sortRows } from "../fixtures/tables.ts";
import { runPythonJson } from "../ground/python.ts";
import { startTestServer, type TestServer } from "./harness.ts";

const script = "test/fixtures/country_table.py";

interface Slice {
  rows: Row[];
  changes: Row[];
}

interface Discovered {
  share: string;
  schema: string;
  tables: string[];
  error: string | null;
}

const untimed = (rows: Row[]) => sortRows(rows.map(({ _commit_timestamp: _t, ...row }) => row));

describe("whole-schema shares", () => {
  let dir: string;
  let lake: string;
  let server: TestServer;

  const discovered = async (): Promise<Discovered | undefined> => {
    const status = (await (await fetch(`${server.opsUrl}/status`)).json()) as { discovered?: Discovered[] };
    return status.discovered?.find((entry) => entry.schema === "lake");
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-schema-share-"));
    lake = join(dir, "lake");
    await runPythonJson(script, ["write", join(lake, "before")]);
    // a folder without a Delta log is not a table
    await mkdir(join(lake, "notes"), { recursive: true });
    await writeFile(join(lake, "notes", "readme.txt"), "not a table");
    server = await startTestServer({
      ops: { host: "127.0.0.1", port: 0, tableProbeIntervalSeconds: 1 },
      shares: [
        {
          name: "whole",
          schemas: [{ name: "lake", location: lake, historyShared: true, partitionFilter: "country = 'US'" }],
        },
      ],
    });
  });

  after(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test("the tables under the folder are listed by their folder names, and reported", async () => {
    const listing = await listWithClient(server.profilePath);
    assert.deepEqual(listing.tables["whole.lake"], ["before"]);
    const report = await discovered();
    assert.deepEqual(report?.tables, ["before"]);
    assert.equal(report?.error, null);
  });

  test("a table created after the server started is read through the Python client on demand", async () => {
    await runPythonJson(script, ["write", join(lake, "later")]);
    const truth = await runPythonJson<Slice>(script, ["slice", join(lake, "later"), "US"]);
    const [load, changes] = await batchWithClient(server.profilePath, [
      { op: "load", table: "whole.lake.later" },
      { op: "changes", table: "whole.lake.later", starting_version: 0 },
    ]);
    // the schema's partition filter and history option apply to the tables found under it
    assert.deepEqual(sortRows((load as { rows: Row[] }).rows), sortRows(truth.rows));
    assert.deepEqual(untimed((changes as { rows: Row[] }).rows), untimed(truth.changes));
    assert.deepEqual((await discovered())?.tables, ["before", "later"]);
  });

  test("one created later still is found on the schedule, without any request", async () => {
    await runPythonJson(script, ["write", join(lake, "scheduled")]);
    let tables: string[] | undefined;
    for (let attempt = 0; attempt < 100; attempt++) {
      tables = (await discovered())?.tables;
      if (tables?.includes("scheduled")) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(tables, ["before", "later", "scheduled"]);
  });

  test("a table name not under the folder is still 404", async () => {
    const response = await server.api("/shares/whole/schemas/lake/tables/notes/metadata");
    assert.equal(response.status, 404);
    assert.equal(((await response.json()) as { errorCode: string }).errorCode, "RESOURCE_DOES_NOT_EXIST");
  });
});
