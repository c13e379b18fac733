// includeHistoricalProtocol (PROTOCOL.md, Read Change Data Feed and the /query request body) on the
// delta-spark table whose protocol changes mid-history (in-commit timestamps, then deletion vectors
// raise it to reader 3 / writer 7): in the delta format, a change data feed and a streaming query
// inline exactly the protocol actions delta-spark wrote after the starting version, each naming its
// version, and the head protocol names its version too; without the flag no protocol line is
// added. A deltalake table whose writer protocol a CHECK constraint raised shows the same in the
// delta format, and that the parquet format ignores the flag. The truth is the log the writers
// wrote, read here directly.
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type SparkTables, sparkFixtureTables } from "../../fixtures/sparkTables.ts";
import { alterTable, type FixtureTable, writeFixtureTables } from "../../fixtures/tables.ts";
import { startTestServer, type TestServer } from "../harness.ts";
import { call, postQuery, tablePath } from "./setup.ts";

interface LoggedProtocol {
  version: number;
  protocol: Record<string, unknown>;
}

/** The protocol actions of each commit file of a table's log, in version order. */
async function loggedProtocols(location: string): Promise<LoggedProtocol[]> {
  const log = join(location, "_delta_log");
  const commits = (await readdir(log)).filter((name) => /^\d{20}\.json$/.test(name)).sort();
  const found: LoggedProtocol[] = [];
  for (const name of commits) {
    const text = await readFile(join(log, name), "utf8");
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      const action = JSON.parse(line) as { protocol?: Record<string, unknown> };
      if (action.protocol) found.push({ version: Number(name.slice(0, 20)), protocol: action.protocol });
    }
  }
  return found;
}

type Line = Record<string, unknown>;
const protocolOf = (line: Line | undefined) =>
  line?.protocol as { version?: number; deltaProtocol?: Record<string, unknown>; minReaderVersion?: number };

/** The protocol lines after the head line, as (version, protocol). */
const historical = (lines: Line[]) =>
  lines.slice(2).flatMap((line) => {
    const protocol = protocolOf(line);
    return protocol ? [{ version: protocol.version, protocol: protocol.deltaProtocol }] : [];
  });

const deltaFormat = {
  headers: { "delta-sharing-capabilities": "responseformat=delta;readerfeatures=deletionvectors" },
};

describe("historical protocol lines", () => {
  let dir: string;
  let tables: SparkTables;
  let server: TestServer;
  let logged: LoggedProtocol[];
  let small: FixtureTable;
  let constrained: { version: number; minWriterVersion: number };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-protocol-"));
    tables = await sparkFixtureTables(dir);
    logged = await loggedProtocols(tables.evolving.location);
    small = (await writeFixtureTables(join(dir, "deltalake"))).small;
    constrained = await alterTable(small.location, { constraint: ["always", "true"] });
    server = await startTestServer({
      shares: [
        {
          name: "hist",
          schemas: [
            {
              name: "spark",
              tables: [
                { name: "evolving", location: tables.evolving.location, historyShared: true },
                { name: "small", location: small.location, historyShared: true },
              ],
            },
          ],
        },
      ],
    });
  });

  after(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("the fixture's protocol changed after version 0", () => {
    assert.ok(logged.filter((entry) => entry.version > 0).length >= 1, JSON.stringify(logged));
    assert.equal(logged.at(-1)?.protocol.minReaderVersion, 3);
  });

  for (const start of [0, 1]) {
    test(`a delta-format change data feed from version ${start} inlines the later protocol actions`, async () => {
      const answer = await call(
        server,
        `${tablePath("hist", "evolving")}/changes?startingVersion=${start}&includeHistoricalProtocol=true`,
        deltaFormat,
      );
      assert.equal(answer.status, 200, JSON.stringify(answer.error));
      assert.equal(protocolOf(answer.lines[0])?.version, start, "the head protocol names its version");
      const expected = logged
        .filter((entry) => entry.version > start)
        .map(({ version, protocol }) => ({ version, protocol }));
      assert.ok(expected.length > 0);
      assert.deepEqual(historical(answer.lines), expected);
    });
  }

  test("a delta-format streaming query inlines them too", async () => {
    const answer = await postQuery(
      server,
      "hist",
      "evolving",
      { startingVersion: 1, includeHistoricalProtocol: true },
      deltaFormat.headers,
    );
    assert.equal(answer.status, 200, JSON.stringify(answer.error));
    assert.equal(protocolOf(answer.lines[0])?.version, 1);
    assert.deepEqual(
      historical(answer.lines),
      logged.filter((entry) => entry.version > 1),
    );
  });

  test("without the flag no protocol line is added and the head names no version", async () => {
    const feed = await call(
      server,
      `${tablePath("hist", "evolving")}/changes?startingVersion=0`,
      deltaFormat,
    );
    const stream = await postQuery(server, "hist", "evolving", { startingVersion: 0 }, deltaFormat.headers);
    for (const answer of [feed, stream]) {
      assert.equal(answer.status, 200, JSON.stringify(answer.error));
      assert.equal(protocolOf(answer.lines[0])?.version, undefined);
      assert.deepEqual(historical(answer.lines), []);
    }
  });

  test("a protocol raised by a deltalake commit is inlined in the delta format and ignored in parquet", async () => {
    const raised = await loggedProtocols(small.location);
    assert.deepEqual(
      raised.filter((entry) => entry.version > 0).map((entry) => entry.version),
      [constrained.version],
      "the constraint's commit raised the protocol",
    );
    const body = { startingVersion: 0, includeHistoricalProtocol: true };
    const delta = await postQuery(server, "hist", "small", body, {
      "delta-sharing-capabilities": "responseformat=delta",
    });
    assert.equal(delta.status, 200, JSON.stringify(delta.error));
    assert.deepEqual(
      historical(delta.lines),
      raised.filter((entry) => entry.version > 0),
    );
    const parquet = await postQuery(server, "hist", "small", body);
    assert.equal(parquet.status, 200, JSON.stringify(parquet.error));
    assert.deepEqual(parquet.lines[0], { protocol: { minReaderVersion: 1 } });
    assert.equal(parquet.lines.filter((line) => "protocol" in line).length, 1, "no historical protocol line");
    assert.ok(parquet.lines.some((line) => "add" in line));
  });

  test("in the delta format its deletion-vector files carry the file id and a deletionVectorFileId", async () => {
    const answer = await postQuery(server, "hist", "evolving", {}, deltaFormat.headers);
    assert.equal(answer.status, 200, JSON.stringify(answer.error));
    const files = answer.lines.flatMap((line) =>
      line.file
        ? [
            line.file as {
              id: string;
              deletionVectorFileId?: string;
              deltaSingleAction: { add: { deletionVector?: unknown } };
            },
          ]
        : [],
    );
    const withVectors = files.filter((file) => file.deltaSingleAction.add.deletionVector !== undefined);
    assert.ok(withVectors.length > 0, "the final DELETE wrote a deletion vector");
    for (const file of files) {
      assert.match(file.id, /^[0-9a-f]{64}$/);
      assert.equal(
        file.deletionVectorFileId !== undefined,
        file.deltaSingleAction.add.deletionVector !== undefined,
      );
    }
    const again = await postQuery(server, "hist", "evolving", {}, deltaFormat.headers);
    const idsOf = (lines: Line[]) =>
      lines
        .flatMap((line) =>
          line.file
            ? [
                JSON.stringify([
                  (line.file as { id: string }).id,
                  (line.file as { deletionVectorFileId?: string }).deletionVectorFileId,
                ]),
              ]
            : [],
        )
        .sort();
    assert.deepEqual(idsOf(again.lines), idsOf(answer.lines), "the same ids in every answer");
  });
});
