// Change data feeds through the server, read with the official Python client and compared with
// delta-spark's own table_changes of the same range: by versions and by timestamps, in the parquet
// format (cdc files where a version has them, adds and removes as inserts and deletes where not)
// and in the delta format (deletion vectors, column mapping by name and by id, a table whose
// protocol and schema change); historical metadata and protocol lines; streaming queries from a
// version; and the protocol's errors (no change data recorded, vacuumed files, bad ranges).
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { batchWithClient, type ClientRequest } from "../../fixtures/recipient.ts";
import { changesBetween } from "../../fixtures/sparkTables.ts";
import { type Row, sortRows, writeFixtureTables } from "../../fixtures/tables.ts";
import { startTestServer, type TestServer } from "../harness.ts";
import { call, type HistoryGround, iso, postQuery, startHistoryGround, tablePath } from "./setup.ts";

/**
 * Delta-format feeds are read from the S3 copies (see setup.ts), whose file times are upload times,
 * and the client rounds commit times to seconds: they are compared without _commit_timestamp (the
 * parquet-format feeds check it to the millisecond).
 */
const withoutTime = (rows: Row[]) => sortRows(rows.map(({ _commit_timestamp: _, ...row }) => row));

describe("change data feed", () => {
  let ground: HistoryGround;
  let plainDir: string;
  let plainServer: TestServer;

  before(async () => {
    plainDir = await mkdtemp(join(tmpdir(), "dso-changes-"));
    const [started, written] = await Promise.all([startHistoryGround(), writeFixtureTables(plainDir)]);
    ground = started;
    plainServer = await startTestServer({
      shares: [
        {
          name: "s",
          schemas: [
            {
              name: "spark",
              tables: [{ name: "small", location: written.small.location, historyShared: true }],
            },
          ],
        },
      ],
    });
  });
  after(async () => {
    await plainServer?.stop();
    await ground?.stop();
    await rm(plainDir, { recursive: true, force: true });
  });

  const rowsOf = (answer: Record<string, unknown>): Row[] => {
    if ("error" in answer) throw new Error(String(answer.error));
    return sortRows(answer.rows as Row[]);
  };

  test("load_table_changes_as_pandas by versions and by timestamps equals delta-spark", async () => {
    const { tables } = ground;
    const cdf = tables.cdf;
    const all = cdf.changes ?? [];
    const latest = cdf.latestVersion;
    const requests: ClientRequest[] = [];
    const expected: Row[][] = [];
    for (const [from, to] of [
      [0, latest],
      [1, 3],
      [2, 2],
      [3, latest],
    ] as const) {
      requests.push({ op: "changes", table: "hist.spark.cdf", starting_version: from, ending_version: to });
      expected.push(sortRows(changesBetween(all, from, to)));
    }
    requests.push({ op: "changes", table: "hist.spark.cdf", starting_version: 2 });
    expected.push(sortRows(changesBetween(all, 2, latest)));
    requests.push({
      op: "changes",
      table: "hist.spark.cdf",
      starting_timestamp: cdf.timestampChanges.startingTimestamp,
      ending_timestamp: cdf.timestampChanges.endingTimestamp,
    });
    expected.push(sortRows(cdf.timestampChanges.rows));
    requests.push({
      op: "changes",
      table: "hist.spark.cdf",
      starting_timestamp: iso(cdf.commitTimestamps["3"] as number),
    });
    expected.push(sortRows(changesBetween(all, 3, latest)));
    const answers = await batchWithClient(ground.server.profilePath, requests);
    answers.forEach((answer, index) => {
      assert.deepEqual(rowsOf(answer), expected[index], JSON.stringify(requests[index]));
    });
  });

  test("the delta format carries the feeds of deletion-vector, column-mapping and evolving tables", async () => {
    const { tables } = ground;
    const requests: ClientRequest[] = [];
    const expected: Row[][] = [];
    for (const name of ["dv", "cm_name", "cm_id"] as const) {
      const table = tables[name];
      const from = table.changesFrom ?? 0;
      requests.push({
        op: "changes",
        table: `s3.spark.${name}`,
        starting_version: from,
        use_delta_format: true,
      });
      expected.push(withoutTime(changesBetween(table.changes ?? [], from, table.latestVersion)));
      if (table.latestVersion > from + 1) {
        requests.push({
          op: "changes",
          table: `s3.spark.${name}`,
          starting_version: from + 1,
          ending_version: table.latestVersion - 1,
          use_delta_format: true,
        });
        expected.push(withoutTime(changesBetween(table.changes ?? [], from + 1, table.latestVersion - 1)));
      }
    }
    // delta-kernel (the client's delta-format reader) refuses a feed across a schema change and
    // one over in-commit timestamps (the log it rebuilds has no commitInfo): the evolving table is
    // read from its added column (version 2) to before in-commit timestamps (version 4)
    requests.push({
      op: "changes",
      table: "s3.spark.evolving",
      starting_version: 2,
      ending_version: 3,
      use_delta_format: true,
    });
    expected.push(withoutTime(changesBetween(tables.evolving.changes ?? [], 2, 3)));
    const answers = await batchWithClient(ground.server.profilePath, requests);
    answers.forEach((answer, index) => {
      assert.deepEqual(withoutTime(rowsOf(answer)), expected[index], JSON.stringify(requests[index]));
    });
  });

  test("a vacuumed table: the kept range reads equal, the vacuumed one is refused as delta-spark refuses it", async () => {
    const vacuumed = ground.tables.vacuumed;
    assert.ok(vacuumed.earlyChangesError, "delta-spark cannot read the vacuumed range either");
    const from = vacuumed.changesFrom ?? 0;
    const [kept, gone] = await batchWithClient(ground.server.profilePath, [
      { op: "changes", table: "hist.spark.vacuumed", starting_version: from },
      { op: "changes", table: "hist.spark.vacuumed", starting_version: 0 },
    ]);
    assert.deepEqual(rowsOf(kept as Record<string, unknown>), sortRows(vacuumed.changes ?? []));
    assert.match(String(gone?.error), /400/);
    const answer = await call(ground.server, `${tablePath("hist", "vacuumed")}/changes?startingVersion=0`);
    assert.equal(answer.status, 400);
    assert.equal(answer.error?.errorCode, "INVALID_PARAMETER_VALUE");
    assert.match(answer.error?.message ?? "", /no longer available .*VACUUM/);
  });

  test("the protocol's errors for bad ranges and versions without recorded changes", async () => {
    const changes = (share: string, table: string, query: string) =>
      call(ground.server, `${tablePath(share, table)}/changes?${query}`);
    const latest = ground.tables.cdf.latestVersion;
    const cases: [string, ReturnType<typeof call>, RegExp][] = [
      ["no start", changes("hist", "cdf", "endingVersion=2"), /startingVersion or startingTimestamp/],
      [
        "two starts",
        changes("hist", "cdf", "startingVersion=1&startingTimestamp=2020-01-01T00:00:00Z"),
        /only one/,
      ],
      [
        "two ends",
        changes("hist", "cdf", "startingVersion=1&endingVersion=2&endingTimestamp=2020-01-01T00:00:00Z"),
        /only one/,
      ],
      ["start after the latest", changes("hist", "cdf", `startingVersion=${latest + 1}`), /after the latest/],
      ["end before start", changes("hist", "cdf", "startingVersion=3&endingVersion=1"), /before its start/],
      ["a negative start", changes("hist", "cdf", "startingVersion=-1"), /startingVersion/],
      ["history not shared", changes("plain", "cdf", "startingVersion=0"), /history/],
      ["before the shared start version", changes("late", "cdf", "startingVersion=1"), /since version 2/],
      [
        "a start timestamp after the last commit",
        changes("hist", "cdf", "startingTimestamp=2999-01-01T00:00:00Z"),
        /after the latest/,
      ],
      ["a malformed timestamp", changes("hist", "cdf", "startingTimestamp=noon"), /ISO 8601/],
      [
        "the parquet format for a deletion-vector table's changes",
        call(ground.server, `${tablePath("hist", "dv")}/changes?startingVersion=0`),
        /cannot carry/,
      ],
      [
        "no change data recorded",
        call(plainServer, `${tablePath("s", "small")}/changes?startingVersion=0`),
        /not recorded/,
      ],
    ];
    for (const [what, pending, message] of cases) {
      const answer = await pending;
      assert.equal(answer.status, 400, what);
      assert.match(answer.error?.message ?? "", message, what);
    }
  });

  test("historical metadata and protocol lines name their versions", async () => {
    const evolving = ground.tables.evolving;
    const answer = await call(
      ground.server,
      `${tablePath("hist", "evolving")}/changes?startingVersion=0&includeHistoricalMetadata=true&includeHistoricalProtocol=true`,
      { headers: { "delta-sharing-capabilities": "responseformat=delta;readerfeatures=deletionvectors" } },
    );
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get("delta-table-version"), "0");
    const [head, headMetadata, ...rest] = answer.lines;
    assert.deepEqual((head?.protocol as { version?: number } | undefined)?.version, 0);
    assert.equal((headMetadata?.metaData as { version?: number } | undefined)?.version, 0);
    const metadataVersions = rest.flatMap((line) =>
      line.metaData ? [(line.metaData as { version: number }).version] : [],
    );
    const protocolVersions = rest.flatMap((line) =>
      line.protocol ? [(line.protocol as { version: number }).version] : [],
    );
    assert.ok(metadataVersions.includes(2), "the added column's metadata");
    assert.ok(
      protocolVersions.includes(6) || protocolVersions.length > 0,
      "the protocol upgrade for deletion vectors",
    );
    const versions = rest.flatMap((line) => (line.file ? [(line.file as { version: number }).version] : []));
    assert.equal(Math.max(...versions), evolving.latestVersion);
  });

  test("a streaming query from a version returns its data-changing files, version by version", async () => {
    const cdf = ground.tables.cdf;
    const answer = await postQuery(ground.server, "hist", "cdf", { startingVersion: 1, endingVersion: 3 });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get("delta-table-version"), "1");
    const actions = answer.lines.slice(2);
    assert.ok(actions.length > 0);
    for (const line of actions) {
      const [kind] = Object.keys(line);
      assert.ok(kind === "add" || kind === "remove", `a ${kind} line`);
      const file = (line as Record<string, { version: number; timestamp: number; url: string }>)[
        kind as string
      ];
      assert.ok(file && file.version >= 1 && file.version <= 3);
      assert.equal(file.timestamp, cdf.commitTimestamps[String(file.version)]);
    }
    const untilLatest = await postQuery(ground.server, "hist", "cdf", { startingVersion: 0 });
    const versions = untilLatest.lines.slice(2).map((line) => Object.values(line)[0] as { version: number });
    assert.equal(Math.max(...versions.map((file) => file.version)), cdf.latestVersion);
  });
});
