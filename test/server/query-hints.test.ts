// Predicate hints over HTTP: SQL predicateHints and jsonPredicateHints prune partitions, a hint the
// server cannot use is skipped for that request only, and the answer is streamed.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Expected, generateManyFiles } from "../fixtures/tables.ts";
import { type FixtureServer, shareOf, startFixtureServer } from "./fixtureServer.ts";
import type { TestServer } from "./harness.ts";
import { queryFiles } from "./query.ts";

describe("query hints and streaming", () => {
  let fixture: FixtureServer;
  let expected: Expected;
  let server: TestServer;

  before(async () => {
    fixture = await startFixtureServer("dso-hints-", async ({ dir, tables }) => {
      const many = await generateManyFiles(join(dir, "many"), 20_000, { links: "none", json: false });
      return {
        shares: [
          shareOf([
            { name: "p", location: join(tables, "partitioned") },
            { name: "many", location: many.location },
          ]),
        ],
      };
    });
    ({ expected, server } = fixture);
  });

  after(async () => {
    await fixture?.stop();
  });

  const days = (files: { partitionValues: Record<string, string | null> }[]) =>
    [...new Set(files.map((file) => file.partitionValues.day))].sort();

  test("SQL predicateHints on a partition column", async () => {
    const all = await queryFiles(server, "s/d/p");
    assert.ok(days(all.files).length > 1);
    const day = days(all.files)[0] ?? "";
    const some = await queryFiles(server, "s/d/p", { predicateHints: [`day = '${day}'`] });
    assert.deepEqual(days(some.files), [day]);
    assert.equal(
      some.files.length,
      all.files.filter((file) => file.partitionValues.day === day).length,
      "every file of the partition is kept",
    );
    const table = expected.partitioned;
    assert.equal(all.files.length, table.fileCounts[String(table.latestVersion)]);
  });

  test("an unusable hint changes nothing for that request and nothing for the next", async () => {
    const all = await queryFiles(server, "s/d/p");
    const day = days(all.files)[0] ?? "";
    const broken = await queryFiles(server, "s/d/p", {
      jsonPredicateHints: '{"op":"equal"',
      predicateHints: ["???"],
    });
    assert.equal(broken.files.length, all.files.length);
    const hint = JSON.stringify({
      op: "equal",
      children: [
        { op: "column", name: "day", valueType: "date" },
        { op: "literal", value: day, valueType: "date" },
      ],
    });
    const pruned = await queryFiles(server, "s/d/p", { jsonPredicateHints: hint });
    assert.deepEqual(days(pruned.files), [day]);
    assert.match(server.logs(), /predicate hint not used/);
  });

  test("the answer is streamed: the first lines arrive before the last file is signed", async () => {
    const response = await server.api("/shares/s/schemas/d/tables/many/query", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-length"), null);
    assert.equal(response.headers.get("transfer-encoding"), "chunked");
    assert.match(response.headers.get("content-type") ?? "", /application\/x-ndjson/);
    const reader = response.body?.getReader();
    assert.ok(reader);
    const first = await reader.read();
    const text = new TextDecoder().decode(first.value);
    assert.match(text, /^\{"protocol":/);
    const linesInFirstChunk = text.split("\n").filter((line) => line.includes('"file"')).length;
    assert.ok(linesInFirstChunk < 20_000, "the whole answer came as one chunk");
    let files = linesInFirstChunk;
    let rest = "";
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      rest += new TextDecoder().decode(next.value);
      const lines = rest.split("\n");
      rest = lines.pop() ?? "";
      files += lines.filter((line) => line.includes('"file"')).length;
    }
    assert.equal(files, 20_000);
  });
});
