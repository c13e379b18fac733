// File ids follow the reference server (issue #12, defect 4): derived from the logged path alone,
// SHA-256 hex for the delta format and MD5 hex for parquet, so the same logical file has the same
// id in every action (add, remove, cdc) and every answer (query, streaming, changes, pages,
// refresh). Shown on delta-spark's deletion-vector table, whose DELETE, UPDATE and MERGE log a
// remove and an add of the same path with different deletion vectors.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type SparkTables, sparkFixtureTables } from "../../fixtures/sparkTables.ts";
import { startTestServer, type TestServer } from "../harness.ts";

type Line = Record<string, Record<string, unknown>>;
type Action = { path: string };

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const md5 = (text: string) => createHash("md5").update(text).digest("hex");
const delta = { "delta-sharing-capabilities": "responseformat=delta;readerfeatures=deletionvectors" };

/** The add, remove and cdc paths of each commit of a table, as logged. */
async function loggedPaths(location: string) {
  const names = (await readdir(join(location, "_delta_log"))).filter((name) => /^\d{20}\.json$/.test(name));
  const commits = new Map<number, { add: string[]; remove: string[]; cdc: string[] }>();
  for (const name of names.sort()) {
    const actions = (await readFile(join(location, "_delta_log", name), "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, Action & { dataChange?: boolean }>);
    // cdc actions carry dataChange false; adds and removes without data change are not changes
    const of = (kind: string) =>
      actions
        .filter((a) => a[kind] && (kind === "cdc" || a[kind].dataChange !== false))
        .map((a) => (a[kind] as Action).path);
    commits.set(Number(name.slice(0, 20)), { add: of("add"), remove: of("remove"), cdc: of("cdc") });
  }
  return commits;
}

describe("file ids", () => {
  let dir: string;
  let spark: SparkTables;
  let server: TestServer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-ids-"));
    spark = await sparkFixtureTables(dir);
    const table = (name: "dv" | "cdf") => ({ name, location: spark[name].location, historyShared: true });
    server = await startTestServer({
      shares: [{ name: "ids", schemas: [{ name: "t", tables: [table("dv"), table("cdf")] }] }],
    });
  });

  after(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function lines(path: string, init: { body?: unknown; headers?: Record<string, string> } = {}) {
    const response = await server.api(`/shares/ids/schemas/t/tables/${path}`, {
      method: init.body === undefined ? "GET" : "POST",
      headers: { "content-type": "application/json", ...init.headers },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await response.text();
    assert.equal(response.status, 200, text);
    return text
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Line);
  }

  const fileLines = (answer: Line[]) =>
    answer.filter((line) => line.file).map((line) => line.file as Record<string, unknown>);
  const actionOf = (file: Record<string, unknown>) => {
    const action = file.deltaSingleAction as Record<string, unknown>;
    const kind = Object.keys(action)[0] as string;
    return { kind, id: String(file.id), version: Number(file.version) };
  };

  test("a remove and an add of the same file share its id, in every delta-format answer", async () => {
    const commits = await loggedPaths(spark.dv.location);
    const streamed = fileLines(await lines("dv/query", { body: { startingVersion: 0 }, headers: delta })).map(
      actionOf,
    );
    let shared = 0;
    for (const [version, paths] of commits) {
      const answered = streamed.filter((file) => file.version === version);
      const ids = (kind: string) =>
        answered
          .filter((file) => file.kind === kind)
          .map((file) => file.id)
          .sort();
      assert.deepEqual(ids("add"), paths.add.map(sha256).sort(), `adds of version ${version}`);
      assert.deepEqual(ids("remove"), paths.remove.map(sha256).sort(), `removes of version ${version}`);
      shared += paths.add.filter((path) => paths.remove.includes(path)).length;
    }
    // the deletion vectors of DELETE, UPDATE and MERGE: the same path removed and added again
    assert.ok(shared >= 3, `only ${shared} files were rewritten with a new deletion vector`);

    const changes = fileLines(await lines("dv/changes?startingVersion=0", { headers: delta })).map(actionOf);
    for (const [version, paths] of commits) {
      const cdc = changes.filter((file) => file.version === version && file.kind === "cdc").map((f) => f.id);
      assert.deepEqual(cdc.sort(), paths.cdc.map(sha256).sort(), `cdc files of version ${version}`);
    }

    // the newest snapshot: every active file has the id of its last add, unpaged, paged and refreshed
    const latest = spark.dv.latestVersion;
    const active = new Set<string>();
    for (const [, paths] of [...commits].sort(([a], [b]) => a - b)) {
      for (const path of paths.remove) active.delete(sha256(path));
      for (const path of paths.add) active.add(sha256(path));
    }
    const first = await lines("dv/query", { body: { includeRefreshToken: true }, headers: delta });
    assert.deepEqual(
      fileLines(first)
        .map((file) => String(file.id))
        .sort(),
      [...active].sort(),
    );
    const paged: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await lines("dv/query", {
        body: { maxFiles: 2, ...(pageToken ? { pageToken } : {}) },
        headers: delta,
      });
      paged.push(...fileLines(page).map((file) => String(file.id)));
      pageToken = page.at(-1)?.endStreamAction?.nextPageToken as string | undefined;
    } while (pageToken !== undefined);
    assert.deepEqual(paged.sort(), [...active].sort());
    const refreshToken = first.at(-1)?.endStreamAction?.refreshToken as string;
    const refreshed = await lines("dv/query", { body: { refreshToken }, headers: delta });
    assert.deepEqual(
      fileLines(refreshed)
        .map((file) => String(file.id))
        .sort(),
      [...active].sort(),
    );
    const versioned = await lines("dv/query", { body: { version: latest }, headers: delta });
    assert.deepEqual(
      fileLines(versioned)
        .map((file) => String(file.id))
        .sort(),
      [...active].sort(),
    );
  });

  test("parquet-format ids are the MD5 of the logged path, in snapshots and change feeds alike", async () => {
    const commits = await loggedPaths(spark.cdf.location);
    const all = [...commits.values()].flatMap((paths) => [...paths.add, ...paths.remove, ...paths.cdc]);
    const byId = new Map(all.map((path) => [md5(path), path]));
    const snapshot = await lines("cdf/query", { body: {} });
    const changes = await lines("cdf/changes?startingVersion=0");
    const ids = [
      ...snapshot.filter((line) => line.file).map((line) => String(line.file?.id)),
      ...changes.flatMap((line) =>
        ["add", "remove", "cdf"].filter((k) => line[k]).map((k) => String(line[k]?.id)),
      ),
    ];
    assert.ok(ids.length > 5);
    for (const id of ids) assert.ok(byId.has(id), `id ${id} is not the MD5 of a logged path`);
  });
});
