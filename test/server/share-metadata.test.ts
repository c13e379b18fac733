// Additional share metadata (PROTOCOL.md List Shares / Get Share: displayName, comment,
// properties) and accessModes (list-table APIs and table metadata: `url` only, since no directory
// access is offered): what the configuration says, recipients see; the limits the protocol sets
// are refused at start; and the official Python client still lists and reads everything.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { stringify } from "yaml";
import { listWithClient, loadWithClient } from "../fixtures/recipient.ts";
import { alterTable, type Expected, sortRows, writeFixtureTables } from "../fixtures/tables.ts";
import { refusal } from "./configRefusal.ts";
import { startTestServer, type TestServer } from "./harness.ts";

const properties = { owner: "mobility-team", region: "eu-west-1", created_date: "2024-01-15" };

describe("share metadata and access modes", () => {
  let dir: string;
  let expected: Expected;
  let server: TestServer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-share-metadata-"));
    expected = await writeFixtureTables(join(dir, "tables"));
    server = await startTestServer({
      shares: [
        {
          name: "described",
          displayName: "Mobility Share",
          comment: "Trips and stations",
          properties,
          schemas: [{ name: "s", tables: [{ name: "small", location: expected.small.location }] }],
        },
        {
          name: "bare",
          schemas: [{ name: "s", tables: [{ name: "cdf", location: expected.cdf.location }] }],
        },
      ],
    });
  });

  after(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const json = async (path: string, init: RequestInit = {}) => {
    const response = await server.api(path, init);
    assert.equal(response.status, 200, path);
    return response;
  };

  test("List Shares and Get Share carry displayName, comment and properties when configured", async () => {
    const listed = (await (await json("/shares")).json()) as { items: Record<string, unknown>[] };
    const [described, bare] = listed.items;
    assert.deepEqual(
      { ...described, id: undefined },
      {
        name: "described",
        id: undefined,
        displayName: "Mobility Share",
        comment: "Trips and stations",
        properties,
      },
    );
    assert.deepEqual(Object.keys(bare ?? {}).sort(), ["id", "name"]);
    const got = (await (await json("/shares/DESCRIBED")).json()) as { share: Record<string, unknown> };
    assert.deepEqual(got.share, described);
  });

  test("tables list and metadata answers name url as the only access mode", async () => {
    for (const path of ["/shares/described/schemas/s/tables", "/shares/described/all-tables"]) {
      const listed = (await (await json(path)).json()) as { items: { accessModes?: string[] }[] };
      assert.deepEqual(
        listed.items.map((item) => item.accessModes),
        [["url"]],
        path,
      );
    }
    const metadata = "/shares/described/schemas/s/tables/small/metadata";
    const parquet = (await (await json(metadata)).text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    assert.deepEqual(parquet[1].metaData.accessModes, ["url"]);
    const delta = await json(metadata, { headers: { "delta-sharing-capabilities": "responseformat=delta" } });
    const deltaLines = (await delta.text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    assert.deepEqual(deltaLines[1].metaData.accessModes, ["url"]);
    assert.ok(deltaLines[1].metaData.deltaMetadata, "the wrapper carries it beside the Delta metadata");
  });

  test("table metadata carries the Delta name and description, the table's size and its number of files", async () => {
    await alterTable(expected.small.location, { name: "small_table", description: "mixed column types" });
    const metadata = "/shares/described/schemas/s/tables/small/metadata";
    const lines = (await (await json(metadata)).text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const { metaData } = lines[1];
    assert.equal(metaData.name, "small_table");
    assert.equal(metaData.description, "mixed column types");
    const query = await json("/shares/described/schemas/s/tables/small/query", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    const files = (await query.text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line))
      .flatMap((line) => (line.file ? [line.file as { size: number }] : []));
    assert.equal(metaData.numFiles, files.length);
    assert.equal(metaData.numFiles, expected.small.fileCounts[String(expected.small.latestVersion)]);
    assert.equal(
      metaData.size,
      files.reduce((sum, file) => sum + file.size, 0),
    );
    const delta = await json(metadata, { headers: { "delta-sharing-capabilities": "responseformat=delta" } });
    const deltaMetadata = JSON.parse((await delta.text()).trim().split("\n")[1] as string).metaData;
    assert.deepEqual([deltaMetadata.size, deltaMetadata.numFiles], [metaData.size, metaData.numFiles]);
  });

  test("the official Python client lists and reads through the extra fields", async () => {
    const listing = await listWithClient(server.profilePath);
    assert.deepEqual(listing.shares, ["described", "bare"]);
    const { rows } = await loadWithClient(server.profilePath, "described.s.small");
    assert.deepEqual(
      sortRows(rows),
      sortRows(expected.small.versions[String(expected.small.latestVersion)] ?? []),
    );
  });

  test("properties beyond the protocol's limits are refused at start", () => {
    const withProperties = (value: Record<string, string>) =>
      stringify({
        version: 1,
        allowAnonymous: true,
        shares: [{ name: "x", properties: value, schemas: [] }],
      });
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, index) => [`k${index}`, "v"]));
    assert.match(refusal(withProperties(many)), /properties/);
    assert.match(refusal(withProperties({ ["k".repeat(256)]: "v" })), /properties/);
    assert.match(refusal(withProperties({ k: "v".repeat(1001) })), /properties/);
    assert.match(
      refusal(
        stringify({
          version: 1,
          allowAnonymous: true,
          shares: [{ name: "x", displayName: "d".repeat(256), schemas: [] }],
        }),
      ),
      /displayName/,
    );
  });
});
