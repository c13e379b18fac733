// The fileidhash header (PROTOCOL.md "File ID Hash Header"): the client picks the file id scheme,
// parquet or delta, whatever the response format; the answer echoes the value in lowercase; any
// other value is refused with 400. Shown on snapshot queries (paged too), change data feeds and
// asynchronous queries, whose polls carry no header and keep the scheme the submission named.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Expected, writeFixtureTables } from "../fixtures/tables.ts";
import { startTestServer, type TestServer } from "./harness.ts";
import { type JsonAnswer, readAnswer } from "./ndjsonAnswer.ts";

const delta = "responseformat=delta";

/** The file ids of an answer's file lines, whichever format and action wraps them. */
function ids(lines: Record<string, unknown>[]): string[] {
  return lines
    .slice(2)
    .flatMap((line) => {
      const wrapped = (line.file ?? line.add ?? line.remove ?? line.cdf) as { id?: string } | undefined;
      return wrapped?.id !== undefined ? [wrapped.id] : [];
    })
    .sort();
}

describe("fileidhash selects the file id scheme", () => {
  let dir: string;
  let expected: Expected;
  let server: TestServer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-fileidhash-"));
    expected = await writeFixtureTables(join(dir, "tables"));
    server = await startTestServer({
      shares: [
        {
          name: "s",
          schemas: [
            {
              name: "t",
              tables: [
                { name: "partitioned", location: expected.partitioned.location },
                { name: "cdf", location: expected.cdf.location, historyShared: true },
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

  async function ask(
    path: string,
    init: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<JsonAnswer> {
    const response = await server.api(path, {
      method: init.body === undefined ? "GET" : "POST",
      headers: { "content-type": "application/json", ...init.headers },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    return readAnswer(response);
  }

  const query = "/shares/s/schemas/t/tables/partitioned/query";
  const changes = "/shares/s/schemas/t/tables/cdf/changes?startingVersion=0";

  test("a query's ids follow the named scheme in either response format, and the header is echoed", async () => {
    const parquetIds = ids((await ask(query, { body: {} })).lines);
    const deltaIds = ids(
      (await ask(query, { body: {}, headers: { "delta-sharing-capabilities": delta } })).lines,
    );
    assert.ok(parquetIds.length > 1);
    assert.ok(
      parquetIds.every((id) => /^[0-9a-f]{32}$/.test(id)),
      "parquet: MD5 hex by default",
    );
    assert.ok(
      deltaIds.every((id) => /^[0-9a-f]{64}$/.test(id)),
      "delta: SHA-256 hex by default",
    );

    const parquetAsDelta = await ask(query, { body: {}, headers: { fileidhash: "DELTA" } });
    assert.equal(parquetAsDelta.headers.get("fileidhash"), "delta");
    assert.ok("file" in (parquetAsDelta.lines[2] ?? {}), "still the parquet format");
    assert.deepEqual(ids(parquetAsDelta.lines), deltaIds);

    const deltaAsParquet = await ask(query, {
      body: {},
      headers: { "delta-sharing-capabilities": delta, fileidhash: "parquet" },
    });
    assert.equal(deltaAsParquet.headers.get("fileidhash"), "parquet");
    assert.deepEqual(ids(deltaAsParquet.lines), parquetIds);

    const unnamed = await ask(query, { body: {} });
    assert.equal(unnamed.headers.get("fileidhash"), null, "nothing echoed when nothing was named");
  });

  test("every page of a paged query keeps the scheme", async () => {
    const deltaIds = ids(
      (await ask(query, { body: {}, headers: { "delta-sharing-capabilities": delta } })).lines,
    );
    const seen: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const page = await ask(query, {
        body: { maxFiles: 2, ...(pageToken ? { pageToken } : {}) },
        headers: { fileidhash: "delta" },
      });
      assert.equal(page.status, 200);
      assert.equal(page.headers.get("fileidhash"), "delta");
      seen.push(...ids(page.lines));
      pageToken = (page.lines.at(-1)?.endStreamAction as { nextPageToken?: string } | undefined)
        ?.nextPageToken;
      pages++;
    } while (pageToken !== undefined && pages < 50);
    assert.ok(pages > 1);
    assert.deepEqual(seen.sort(), deltaIds);
  });

  test("a change data feed's ids follow the named scheme", async () => {
    const deltaIds = ids((await ask(changes, { headers: { "delta-sharing-capabilities": delta } })).lines);
    const parquetAsDelta = await ask(changes, { headers: { fileidhash: "delta" } });
    assert.equal(parquetAsDelta.status, 200);
    assert.equal(parquetAsDelta.headers.get("fileidhash"), "delta");
    assert.ok(deltaIds.length > 0);
    assert.deepEqual(ids(parquetAsDelta.lines), deltaIds);
  });

  test("an asynchronous query keeps the scheme its submission named, though its polls name none", async () => {
    const deltaIds = ids(
      (await ask(query, { body: {}, headers: { "delta-sharing-capabilities": delta } })).lines,
    );
    const submitted = await ask(query, {
      body: { idempotencyKey: "k-1" },
      headers: {
        "delta-sharing-capabilities": "responseformat=parquet;asyncquery=true",
        fileidhash: "Delta",
      },
    });
    assert.equal(submitted.headers.get("fileidhash"), "delta");
    const { queryId } = (submitted.lines[0]?.queryStatus ?? {}) as { queryId: string };
    const polled = await ask(
      `/shares/s/schemas/t/tables/partitioned/queries/${encodeURIComponent(queryId)}`,
      {
        body: {},
      },
    );
    assert.equal(polled.status, 200);
    assert.equal(polled.headers.get("fileidhash"), "delta");
    assert.deepEqual(ids(polled.lines), deltaIds);
  });

  test("any other value is refused with 400", async () => {
    for (const answer of [
      await ask(query, { body: {}, headers: { fileidhash: "sha1" } }),
      await ask(changes, { headers: { fileidhash: "md5" } }),
    ]) {
      assert.equal(answer.status, 400);
      assert.equal(answer.error?.errorCode, "INVALID_PARAMETER_VALUE");
    }
  });
});
