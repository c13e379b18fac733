// Logs shaped as other writers make them, reproduced exactly around data files deltalake wrote:
// Databricks Delta Live Tables' first metaData without a schema (issue #12, defect 2), shallow
// clones' absolute paths into their source table (served under an extra root the config lists,
// refused anywhere else; on local disk and in S3), and a relative path that escapes the table (refused, never signed).
import assert from "node:assert/strict";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { loadWithClient } from "../fixtures/recipient.ts";
import { type Expected, sortRows, writeFixtureTables } from "../fixtures/tables.ts";
import { type S3Ground, startS3 } from "../ground/s3.ts";
import { startTestServer, type TestServer } from "./harness.ts";

type Action = Record<string, Record<string, unknown>>;

const bucket = "writers";
const commitName = (version: number) => `${String(version).padStart(20, "0")}.json`;

async function writeLog(table: string, commits: Action[][]): Promise<void> {
  await mkdir(join(table, "_delta_log"), { recursive: true });
  for (const [version, actions] of commits.entries()) {
    const text = actions.map((action) => JSON.stringify(action)).join("\n");
    await writeFile(join(table, "_delta_log", commitName(version)), `${text}\n`);
  }
}

describe("logs other writers make", () => {
  let dir: string;
  let expected: Expected;
  let server: TestServer;
  let rowsAtZero: unknown[];
  let s3: S3Ground;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-writers-"));
    expected = await writeFixtureTables(join(dir, "fixtures"));
    rowsAtZero = expected.small.versions["0"] ?? [];
    // the source table of the "clone" sits in a folder whose name needs escaping in a URI
    const source = join(dir, "source tables", "small");
    await cp(expected.small.location, source, { recursive: true });
    const first = (await readFile(join(source, "_delta_log", commitName(0)), "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Action);
    const protocol = first.filter((action) => action.protocol);
    const metaData = first.find((action) => action.metaData) as Action;
    const adds = first.filter((action) => action.add);
    const dataFiles = (await readdir(source)).filter((name) => name.endsWith(".parquet"));

    // Delta Live Tables: version 0 has a metaData without schemaString, version 1 the real one
    const dlt = join(dir, "dlt");
    const { schemaString: _schema, ...schemaless } = metaData.metaData as Record<string, unknown>;
    await writeLog(dlt, [
      [...protocol, { metaData: { ...schemaless, configuration: {} } }],
      [metaData, ...adds],
    ]);
    for (const name of dataFiles) await cp(join(source, name), join(dlt, name));

    // a shallow clone: its adds name the source's files by absolute, percent-encoded file: URI
    const absolute = (path: string) =>
      `file://${join(dir, "source tables", "small").split("/").map(encodeURIComponent).join("/")}/${path}`;
    const clone = [
      [
        ...protocol,
        metaData,
        ...adds.map((a) => ({ add: { ...a.add, path: absolute(String(a.add?.path)) } })),
      ],
    ];
    await writeLog(join(dir, "clone"), clone);
    // the same clone in S3, naming its source by s3a:// URI, both uploaded to the S3 test server
    const inS3 = (path: string) => `s3a://${bucket}/source%20tables/small/${path}`;
    const cloudClone = [
      [...protocol, metaData, ...adds.map((a) => ({ add: { ...a.add, path: inS3(String(a.add?.path)) } }))],
    ];
    await writeLog(join(dir, "cloud-clone"), cloudClone);
    s3 = await startS3();
    await s3.createBucket(bucket);
    await s3.uploadDirectory(source, bucket, "source tables/small");
    await s3.uploadDirectory(join(dir, "cloud-clone"), bucket, "clone");
    process.env.AWS_ACCESS_KEY_ID = s3.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = s3.secretAccessKey;

    // a relative path out of the table into a sibling folder
    const escaping = [
      [
        ...protocol,
        metaData,
        ...adds.map((a) => ({ add: { ...a.add, path: `../source%20tables/small/${a.add?.path}` } })),
      ],
    ];
    await writeLog(join(dir, "escaping"), escaping);

    server = await startTestServer({
      s3: { endpoint: s3.endpoint, forcePathStyle: true, region: s3.region },
      shares: [
        {
          name: "w",
          schemas: [
            {
              name: "s",
              tables: [
                { name: "dlt", location: dlt, historyShared: true },
                { name: "clone", location: join(dir, "clone"), extraRoots: [source] },
                { name: "clone_without_root", location: join(dir, "clone") },
                {
                  name: "cloud_clone",
                  location: `s3://${bucket}/clone`,
                  extraRoots: [`s3://${bucket}/source tables/small`],
                },
                { name: "cloud_clone_without_root", location: `s3://${bucket}/clone` },
                { name: "escaping", location: join(dir, "escaping") },
              ],
            },
          ],
        },
      ],
    });
  });

  after(async () => {
    await server?.stop();
    await s3?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const query = (table: string, body: Record<string, unknown> = {}) =>
    server.api(`/shares/w/schemas/s/tables/${table}/query`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  test("a DLT table whose first metaData has no schema answers its version and metadata and reads whole", async () => {
    const version = await server.api("/shares/w/schemas/s/tables/dlt/version");
    assert.equal(version.status, 200);
    assert.equal(version.headers.get("delta-table-version"), "1");
    const metadata = await server.api("/shares/w/schemas/s/tables/dlt/metadata");
    assert.equal(metadata.status, 200);
    const lines = (await metadata.text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    assert.deepEqual(JSON.parse(lines[1].metaData.schemaString), expected.small.schema);
    const read = await loadWithClient(server.profilePath, "w.s.dlt");
    assert.deepEqual(sortRows(read.rows), sortRows(rowsAtZero as never[]));
    // version 0 itself reads as delta-spark reads it: no columns, no files
    const atZero = await query("dlt", { version: 0 });
    assert.equal(atZero.status, 200);
    const zeroLines = (await atZero.text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    assert.deepEqual(JSON.parse(zeroLines[1].metaData.schemaString), { type: "struct", fields: [] });
    assert.equal(zeroLines.length, 2);
  });

  for (const table of ["clone", "cloud_clone"]) {
    test(`${table}: absolute paths under an extra root the table lists are served, decoded`, async () => {
      const answer = await query(table);
      assert.equal(answer.status, 200);
      const files = (await answer.text())
        .trim()
        .split("\n")
        .slice(2)
        .map((line) => JSON.parse(line).file);
      assert.ok(files.length > 0);
      for (const file of files) assert.equal((await fetch(file.url)).status, 200);
      const read = await loadWithClient(server.profilePath, `w.s.${table}`);
      assert.deepEqual(sortRows(read.rows), sortRows(rowsAtZero as never[]));
    });
  }

  test("absolute paths outside the table's roots and escaping paths are refused by table, never signed", async () => {
    for (const [table, reason] of [
      ["clone_without_root", "outside the table's location"],
      ["cloud_clone_without_root", "outside the table's location"],
      ["escaping", "escapes the table's location"],
    ] as const) {
      const answer = await query(table);
      assert.equal(answer.status, 400, table);
      const body = (await answer.json()) as { errorCode: string; message: string };
      assert.equal(body.errorCode, "INVALID_TABLE_STATE");
      assert.match(body.message, new RegExp(`table w\\.s\\.${table}: .*${reason}`));
      assert.doesNotMatch(body.message, /sig=|X-Amz-Signature/);
      assert.match(server.logs(), new RegExp(`"table":\\{[^}]*"table":"${table}"[^\\n]*small/`));
    }
  });
});
