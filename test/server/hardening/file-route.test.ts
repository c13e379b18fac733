// Issue 13, reproductions 3 and 9: the file route had no query-string schema (a repeated `sig` gave
// a 500 and an error log with a stack); a signed token naming `../x`, an absolute or an empty path
// gave a 500; a token naming `_delta_log/*` was served; and symlinks out of the table were followed.
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { writeFixtureTables } from "../../fixtures/tables.ts";
import { startTestServer, type TestServer } from "../harness.ts";
import { queryFiles } from "../query.ts";

describe("the file route serves only the table's own files, and refuses the rest with 403", () => {
  let dir: string;
  let server: TestServer;
  let fileUrl: URL;
  let tableRoot: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-files-"));
    const tables = join(dir, "tables");
    await writeFixtureTables(tables);
    tableRoot = join(tables, "small");
    await writeFile(join(dir, "outside-secret.txt"), "not a table file\n");
    await symlink(join(dir, "outside-secret.txt"), join(tableRoot, "escape.parquet"));
    const dataFile = (await readdir(tableRoot)).find(
      (name) => name.endsWith(".parquet") && name !== "escape.parquet",
    );
    assert.ok(dataFile);
    await symlink(join(tableRoot, dataFile), join(tableRoot, "inside-link.parquet"));
    server = await startTestServer({
      shares: [{ name: "s", schemas: [{ name: "d", tables: [{ name: "small", location: tableRoot }] }] }],
    });
    const [url] = (await queryFiles(server, "s/d/small")).files.map((file) => file.url);
    assert.ok(url);
    fileUrl = new URL(url);
  });

  after(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** A URL for `path` signed with the server's own key, as if the table's log had named it. */
  function signedUrl(path: string): string {
    const context = server.running.context();
    const table = [...context.catalog.allTables()][0];
    assert.ok(table);
    const sig = context.fileUrls.encode({ tableId: table.id, root: 0, path, expiresAt: Date.now() + 60_000 });
    const name =
      path
        .split("/")
        .pop()
        ?.replace(/[^A-Za-z0-9._-]/g, "_") ?? "";
    return `${server.endpoint}/files/${name}?sp=r&sig=${sig}`;
  }

  test("a real file URL works, with a byte range", async () => {
    const whole = await fetch(fileUrl);
    assert.equal(whole.status, 200);
    const range = await fetch(fileUrl, { headers: { range: "bytes=0-3" } });
    assert.equal(range.status, 206);
    assert.equal(await range.text(), "PAR1");
  });

  test("repeated or unknown query parameters: 400 JSON, no error log", async () => {
    const sig = fileUrl.searchParams.get("sig");
    const base = `${fileUrl.origin}${fileUrl.pathname}`;
    for (const query of [
      `sp=r&sig=${sig}&sig=${sig}`,
      `sp=r&sp=r&sig=${sig}`,
      `sp=r&sig=${sig}&x=1`,
      "sp=r",
      "sp=w&sig=x",
    ]) {
      const response = await fetch(`${base}?${query}`);
      assert.equal(response.status, 400, query);
      assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
      assert.equal(((await response.json()) as { errorCode: string }).errorCode, "INVALID_PARAMETER_VALUE");
    }
    assert.doesNotMatch(server.logs(), /"level":50/);
    assert.doesNotMatch(server.logs(), /split is not a function/);
  });

  test("tokens naming ../x, an absolute path, an empty path or the log: 403", async () => {
    for (const path of [
      "../x",
      "../small/_delta_log/00000000000000000000.json",
      "/etc/passwd",
      "",
      "_delta_log/00000000000000000000.json",
      "sub/../_delta_log/00000000000000000001.json",
    ]) {
      const response = await fetch(signedUrl(path));
      assert.equal(response.status, 403, `'${path}'`);
      assert.equal(((await response.json()) as { errorCode: string }).errorCode, "PERMISSION_DENIED");
    }
    assert.doesNotMatch(server.logs(), /"level":50/);
  });

  test("a symlink out of the table root: 403; one inside it is served", async () => {
    const outside = await fetch(signedUrl("escape.parquet"));
    assert.equal(outside.status, 403);
    assert.doesNotMatch(await outside.text(), /not a table file/);
    assert.equal((await fetch(signedUrl("inside-link.parquet"))).status, 200);
    assert.equal((await fetch(signedUrl("no-such-file.parquet"))).status, 404);
  });
});
