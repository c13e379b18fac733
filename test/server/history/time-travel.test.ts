// Time travel through the server, read with the official Python client and compared with
// delta-spark's own read of the same version: by version and by timestamp (file times, and
// in-commit timestamps from the version that enabled them), in the parquet format and in the delta
// format (deletion vectors, column mapping by name and by id); GET version?startingTimestamp=; and
// the protocol's refusals.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { batchWithClient, type ClientRequest } from "../../fixtures/recipient.ts";
import { type Row, sortRows } from "../../fixtures/tables.ts";
import { call, type HistoryGround, iso, postQuery, startHistoryGround, tablePath } from "./setup.ts";

describe("time travel", () => {
  let ground: HistoryGround;

  before(async () => {
    ground = await startHistoryGround();
  });
  after(async () => {
    await ground?.stop();
  });

  const rowsOf = (answer: Record<string, unknown>): Row[] => {
    if ("error" in answer) throw new Error(String(answer.error));
    return sortRows(answer.rows as Row[]);
  };

  test("load_as_pandas by version and by timestamp equals delta-spark at every version", async () => {
    const requests: ClientRequest[] = [];
    const expected: Row[][] = [];
    const add = (request: ClientRequest, rows: Row[] | undefined) => {
      requests.push(request);
      expected.push(sortRows(rows ?? []));
    };
    const { cdf, evolving } = ground.tables;
    for (let version = 0; version <= cdf.latestVersion; version++) {
      const rows = cdf.versions[String(version)];
      const stamp = cdf.commitTimestamps[String(version)] as number;
      add({ op: "load", table: "hist.spark.cdf", version }, rows);
      add({ op: "load", table: "hist.spark.cdf", timestamp: iso(stamp) }, rows);
      const next = cdf.commitTimestamps[String(version + 1)];
      // just before the next commit still reads this version
      if (next !== undefined && next - 1 > stamp)
        add({ op: "load", table: "hist.spark.cdf", timestamp: iso(next - 1) }, rows);
    }
    // the evolving table: its schema grows at version 2, in-commit timestamps start at 4, deletion
    // vectors at 6 (the first file with one at 7, which only the delta format can carry)
    for (let version = 0; version <= evolving.latestVersion; version++) {
      const rows = evolving.versions[String(version)];
      const stamp = iso(evolving.commitTimestamps[String(version)] as number);
      if (version < evolving.latestVersion) {
        add({ op: "load", table: "hist.spark.evolving", version, use_delta_format: false }, rows);
        add({ op: "load", table: "hist.spark.evolving", timestamp: stamp, use_delta_format: false }, rows);
      }
      add({ op: "load", table: "s3.spark.evolving", version, use_delta_format: true }, rows);
      // in-commit timestamps travel with the log, so they hold on the copy in S3 too
      if (version >= 4)
        add({ op: "load", table: "s3.spark.evolving", timestamp: stamp, use_delta_format: true }, rows);
    }
    const answers = await batchWithClient(ground.server.profilePath, requests);
    answers.forEach((answer, index) => {
      assert.deepEqual(rowsOf(answer), expected[index], JSON.stringify(requests[index]));
    });
  });

  test("use_delta_format=True on deletion-vector and column-mapping tables equals delta-spark", async () => {
    const requests: ClientRequest[] = [];
    const expected: Row[][] = [];
    for (const name of ["dv", "cm_name", "cm_id"] as const) {
      const table = ground.tables[name];
      for (let version = 0; version <= table.latestVersion; version++) {
        requests.push({ op: "load", table: `s3.spark.${name}`, version, use_delta_format: true });
        expected.push(sortRows(table.versions[String(version)] ?? []));
      }
      requests.push({ op: "load", table: `s3.spark.${name}`, use_delta_format: true });
      expected.push(sortRows(table.versions[String(table.latestVersion)] ?? []));
      // without use_delta_format the client asks for either format and gets delta
      requests.push({ op: "load", table: `s3.spark.${name}` });
      expected.push(sortRows(table.versions[String(table.latestVersion)] ?? []));
    }
    const answers = await batchWithClient(ground.server.profilePath, requests);
    answers.forEach((answer, index) => {
      assert.deepEqual(rowsOf(answer), expected[index], JSON.stringify(requests[index]));
    });
    // by timestamp, in the delta format, on the local copies whose file times delta-spark saw
    for (const name of ["dv", "cm_name", "cm_id"] as const) {
      const table = ground.tables[name];
      for (let version = 0; version <= table.latestVersion; version++) {
        const answer = await postQuery(
          ground.server,
          "hist",
          name,
          { timestamp: iso(table.commitTimestamps[String(version)] as number) },
          {
            "delta-sharing-capabilities": "responseformat=delta;readerfeatures=deletionvectors,columnmapping",
          },
        );
        assert.equal(answer.status, 200, JSON.stringify(answer.error));
        assert.equal(answer.headers.get("delta-table-version"), String(version));
        const files = answer.lines.filter((line) => line.file);
        for (const line of files) assert.equal((line.file as { version: number }).version, version);
      }
    }
  });

  test("GET version?startingTimestamp= gives the first version at or after it", async () => {
    const table = ground.tables.cdf;
    const stamps = table.commitTimestamps;
    const requests: ClientRequest[] = [
      { op: "tableVersion", table: "hist.spark.cdf", starting_timestamp: iso((stamps["2"] as number) - 0) },
      { op: "tableVersion", table: "hist.spark.cdf", starting_timestamp: iso((stamps["2"] as number) + 1) },
      { op: "tableVersion", table: "hist.spark.cdf", starting_timestamp: "2001-01-01T00:00:00Z" },
      { op: "tableVersion", table: "hist.spark.cdf" },
    ];
    const answers = await batchWithClient(ground.server.profilePath, requests);
    assert.deepEqual(
      answers.map((answer) => answer.version),
      [2, (stamps["3"] as number) >= (stamps["2"] as number) + 1 ? 3 : 2, 0, table.latestVersion],
    );
    const evolving = ground.tables.evolving;
    // in-commit timestamps apply from the version that enabled them
    for (let version = 0; version <= evolving.latestVersion; version++) {
      const answer = await ground.server.api(
        `${tablePath("hist", "evolving")}/version?startingTimestamp=${encodeURIComponent(iso(evolving.commitTimestamps[String(version)] as number))}`,
      );
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get("delta-table-version"), String(version));
    }
    const late = await ground.server.api(
      `${tablePath("hist", "cdf")}/version?startingTimestamp=2999-01-01T00:00:00Z`,
    );
    assert.equal(late.status, 400);
  });

  test("metadata by version and by timestamp names the version and its schema", async () => {
    const evolving = ground.tables.evolving;
    const byVersion = await call(ground.server, `${tablePath("hist", "evolving")}/metadata?version=1`);
    assert.equal(byVersion.headers.get("delta-table-version"), "1");
    const metadata = byVersion.lines[1]?.metaData as { version: number; schemaString: string };
    assert.equal(metadata.version, 1);
    assert.equal(JSON.parse(metadata.schemaString).fields.length, 2);
    const stamp = iso(evolving.commitTimestamps["3"] as number);
    const byTimestamp = await call(
      ground.server,
      `${tablePath("hist", "evolving")}/metadata?timestamp=${stamp}`,
    );
    assert.equal(byTimestamp.headers.get("delta-table-version"), "3");
    const later = byTimestamp.lines[1]?.metaData as { version: number; schemaString: string };
    assert.equal(JSON.parse(later.schemaString).fields.length, 3);
    // the delta format hands the Delta metadata through, with the version
    const delta = await call(ground.server, `${tablePath("hist", "cm_name")}/metadata?version=1`, {
      headers: { "delta-sharing-capabilities": "responseformat=delta;readerfeatures=columnmapping" },
    });
    assert.equal(delta.headers.get("delta-sharing-capabilities"), "responseformat=delta");
    const deltaMetadata = delta.lines[1]?.metaData as {
      version: number;
      deltaMetadata: { configuration: Record<string, string> };
    };
    assert.equal(deltaMetadata.version, 1);
    assert.equal(deltaMetadata.deltaMetadata.configuration["delta.columnMapping.mode"], "name");
  });

  test("the protocol's refusals answer 400 with a JSON error", async () => {
    const { server, tables } = ground;
    const cases: [
      string,
      Promise<{ status: number; error?: { errorCode: string; message: string } }>,
      RegExp,
    ][] = [
      ["history not shared (version)", postQuery(server, "plain", "cdf", { version: 1 }), /history/],
      [
        "history not shared (timestamp)",
        postQuery(server, "plain", "cdf", { timestamp: iso(Date.now()) }),
        /history/,
      ],
      [
        "history not shared (startingVersion)",
        postQuery(server, "plain", "cdf", { startingVersion: 1 }),
        /history/,
      ],
      [
        "before the shared start version",
        postQuery(server, "late", "cdf", { version: 1 }),
        /since version 2/,
      ],
      [
        "a timestamp before the shared start version",
        postQuery(server, "late", "cdf", { timestamp: iso(tables.cdf.commitTimestamps["1"] as number) }),
        /since version 2/,
      ],
      ["a negative version", postQuery(server, "hist", "cdf", { version: -1 }), /version/],
      [
        "version and timestamp",
        postQuery(server, "hist", "cdf", { version: 1, timestamp: iso(Date.now()) }),
        /only one/,
      ],
      [
        "version and startingVersion",
        postQuery(server, "hist", "cdf", { version: 1, startingVersion: 1 }),
        /only one/,
      ],
      ["a version after the newest", postQuery(server, "hist", "cdf", { version: 99 }), /does not exist/],
      ["a malformed timestamp", postQuery(server, "hist", "cdf", { timestamp: "yesterday" }), /ISO 8601/],
      [
        "a timestamp before the first commit",
        postQuery(server, "hist", "cdf", { timestamp: "2001-01-01T00:00:00Z" }),
        /before the earliest/,
      ],
      [
        "a timestamp after the last commit",
        postQuery(server, "hist", "cdf", { timestamp: "2999-01-01T00:00:00Z" }),
        /after the latest/,
      ],
      [
        "metadata with version and timestamp",
        call(server, `${tablePath("hist", "cdf")}/metadata?version=1&timestamp=2020-01-01T00:00:00Z`),
        /only one/,
      ],
      [
        "metadata on a table without history",
        call(server, `${tablePath("plain", "cdf")}/metadata?version=1`),
        /history/,
      ],
      [
        "startingTimestamp without history",
        call(server, `${tablePath("plain", "cdf")}/version?startingTimestamp=2020-01-01T00:00:00Z`),
        /history/,
      ],
      [
        "the parquet format for a deletion-vector table",
        postQuery(server, "hist", "dv", {}, { "delta-sharing-capabilities": "responseformat=parquet" }),
        /cannot carry/,
      ],
      [
        "the delta format without the reader features the table needs",
        postQuery(
          server,
          "hist",
          "dv",
          {},
          { "delta-sharing-capabilities": "responseformat=delta;readerfeatures=columnmapping" },
        ),
        /deletionVectors/,
      ],
    ];
    for (const [what, answer, message] of cases) {
      const { status, error } = await answer;
      assert.equal(status, 400, what);
      assert.ok(error && /^(INVALID_PARAMETER_VALUE|UNSUPPORTED_OPERATION)$/.test(error.errorCode), what);
      assert.match(error?.message ?? "", message, what);
    }
  });

  test("responseformat=delta,parquet answers parquet where the table allows it, delta where it needs it", async () => {
    const both = {
      "delta-sharing-capabilities":
        "responseformat=delta,parquet;readerfeatures=deletionvectors,columnmapping",
    };
    const plain = await postQuery(ground.server, "hist", "cdf", {}, both);
    assert.equal(plain.headers.get("delta-sharing-capabilities"), "responseformat=parquet");
    assert.ok(plain.lines.some((line) => "file" in line && "url" in (line.file as object)));
    const dv = await postQuery(ground.server, "hist", "dv", {}, both);
    assert.equal(dv.headers.get("delta-sharing-capabilities"), "responseformat=delta");
    const files = dv.lines.flatMap((line) => (line.file ? [line.file as Record<string, unknown>] : []));
    const withDv = files.filter(
      (file) => (file.deltaSingleAction as { add: { deletionVector?: unknown } }).add.deletionVector,
    );
    assert.ok(withDv.length > 0, "the table has files with deletion vectors");
    for (const file of withDv) {
      const dvd = (
        file.deltaSingleAction as { add: { deletionVector: { storageType: string; pathOrInlineDv: string } } }
      ).add.deletionVector;
      assert.equal(dvd.storageType, "p");
      assert.match(dvd.pathOrInlineDv, /^http:\/\/127\.0\.0\.1:\d+\/delta-sharing\/files\//);
      assert.equal(typeof file.deletionVectorFileId, "string");
      const fetched = await fetch(dvd.pathOrInlineDv);
      assert.equal(fetched.status, 200, "the deletion vector's URL serves it");
      await fetched.arrayBuffer();
    }
  });
});
