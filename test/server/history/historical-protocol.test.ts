// includeHistoricalProtocol (PROTOCOL.md, Read Change Data Feed and the /query request body) on the
// delta-spark table whose protocol changes mid-history (in-commit timestamps, then deletion vectors
// raise it to reader 3 / writer 7): in the delta format, a change data feed and a streaming query
// inline exactly the protocol actions delta-spark wrote after the starting version, each naming its
// version, and the head protocol names its version too; without the flag, or in the parquet
// format, no protocol line is added. The truth is the log delta-spark wrote, read here directly.
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type SparkTables, sparkFixtureTables } from "../../fixtures/sparkTables.ts";
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

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-protocol-"));
    tables = await sparkFixtureTables(dir);
    logged = await loggedProtocols(tables.evolving.location);
    server = await startTestServer({
      shares: [
        {
          name: "hist",
          schemas: [
            {
              name: "spark",
              tables: [{ name: "evolving", location: tables.evolving.location, historyShared: true }],
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

  test("the parquet format ignores the flag", async () => {
    // parquet cannot carry the deletion vectors of the last versions: read the range before them
    const beforeDeletionVectors =
      (logged.find((entry) => entry.protocol.minReaderVersion === 3)?.version ?? 0) - 1;
    const answer = await call(
      server,
      `${tablePath("hist", "evolving")}/changes?startingVersion=0&endingVersion=${beforeDeletionVectors}&includeHistoricalProtocol=true`,
    );
    assert.equal(answer.status, 200, JSON.stringify(answer.error));
    assert.deepEqual(answer.lines[0], { protocol: { minReaderVersion: 1 } });
    assert.deepEqual(historical(answer.lines), []);
  });
});
