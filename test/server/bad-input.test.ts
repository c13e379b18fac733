// Bad input on every endpoint gets the right 4xx with the protocol's JSON error, never a crash, a
// hang or a stack trace.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { writeFixtureTables } from "../fixtures/tables.ts";
import { startTestServer, type TestServer } from "./harness.ts";
import { queryFiles } from "./query.ts";

const table = "/shares/s/schemas/d/tables/t";

describe("bad input", () => {
  let dir: string;
  let server: TestServer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-bad-"));
    await writeFixtureTables(join(dir, "tables"));
    server = await startTestServer({
      shares: [
        {
          name: "s",
          schemas: [{ name: "d", tables: [{ name: "t", location: join(dir, "tables", "partitioned") }] }],
        },
        {
          name: "other",
          schemas: [
            { name: "x", tables: [] },
            { name: "y", tables: [] },
          ],
        },
      ],
    });
  });

  after(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function expectError(response: Response, status: number, errorCode: string): Promise<string> {
    const text = await response.text();
    assert.equal(response.status, status, `status for ${response.url}: ${text}`);
    assert.match(response.headers.get("content-type") ?? "", /application\/json/);
    const body = JSON.parse(text) as { errorCode: string; message: string };
    assert.equal(body.errorCode, errorCode, text);
    assert.equal(typeof body.message, "string");
    assert.doesNotMatch(text, /\bat [\w.<>]+ \(|node:internal|\.ts:\d+/, "a stack trace leaked");
    return body.message;
  }

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    server.api(path, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });

  test("no token, a bad token or a malformed header: 401 on every endpoint", async () => {
    const paths = [
      "/shares",
      "/shares/s",
      "/shares/s/schemas",
      "/shares/s/all-tables",
      `${table}/version`,
      `${table}/metadata`,
    ];
    for (const path of paths) {
      const none = await fetch(`${server.endpoint}${path}`);
      await expectError(none, 401, "UNAUTHENTICATED");
      const wrong = await fetch(`${server.endpoint}${path}`, {
        headers: { authorization: `Bearer ${server.token}x` },
      });
      await expectError(wrong, 401, "UNAUTHENTICATED");
      const basic = await fetch(`${server.endpoint}${path}`, {
        headers: { authorization: `Basic ${server.token}` },
      });
      await expectError(basic, 401, "UNAUTHENTICATED");
    }
    await expectError(
      await fetch(`${server.endpoint}${table}/query`, { method: "POST", body: "{}" }),
      401,
      "UNAUTHENTICATED",
    );
  });

  test("unknown names: 404 on every endpoint, case-insensitive matches work", async () => {
    await expectError(await server.api("/shares/nope"), 404, "RESOURCE_DOES_NOT_EXIST");
    await expectError(await server.api("/shares/nope/schemas"), 404, "RESOURCE_DOES_NOT_EXIST");
    await expectError(await server.api("/shares/nope/all-tables"), 404, "RESOURCE_DOES_NOT_EXIST");
    await expectError(await server.api("/shares/s/schemas/nope/tables"), 404, "RESOURCE_DOES_NOT_EXIST");
    for (const suffix of ["/version", "/metadata"]) {
      await expectError(
        await server.api(`/shares/s/schemas/d/tables/nope${suffix}`),
        404,
        "RESOURCE_DOES_NOT_EXIST",
      );
    }
    await expectError(
      await post("/shares/s/schemas/d/tables/nope/query", "{}"),
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
    const head = await server.api("/shares/s/schemas/d/tables/nope", { method: "HEAD" });
    assert.equal(head.status, 404);
    assert.equal((await server.api("/shares/S/schemas/D/tables/T/version")).status, 200);
  });

  test("path traversal in names finds nothing", async () => {
    for (const name of ["..%2F..%2Fetc", "..", "%2e%2e", "s%2F..%2Fs", "%00"]) {
      const response = await server.api(`/shares/${name}/schemas/d/tables/t/metadata`);
      assert.ok([400, 404].includes(response.status), `${name}: ${response.status}`);
      const body = (await response.json()) as { errorCode: string };
      assert.ok(
        ["RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE", "MALFORMED_REQUEST"].includes(body.errorCode),
      );
    }
  });

  test("query bodies: bad JSON, wrong types, conflicting parameters, huge bodies", async () => {
    await expectError(await post(`${table}/query`, "{not json"), 400, "MALFORMED_REQUEST");
    await expectError(await post(`${table}/query`, "[1,2]"), 400, "INVALID_PARAMETER_VALUE");
    await expectError(await post(`${table}/query`, '{"limitHint":"many"}'), 400, "INVALID_PARAMETER_VALUE");
    await expectError(await post(`${table}/query`, '{"limitHint":-1}'), 400, "INVALID_PARAMETER_VALUE");
    await expectError(await post(`${table}/query`, '{"version":-3}'), 400, "INVALID_PARAMETER_VALUE");
    await expectError(
      await post(`${table}/query`, '{"predicateHints":{"a":1}}'),
      400,
      "INVALID_PARAMETER_VALUE",
    );
    await expectError(
      await post(`${table}/query`, '{"jsonPredicateHints":17}'),
      400,
      "INVALID_PARAMETER_VALUE",
    );
    await expectError(
      await post(`${table}/query`, '{"version":1,"timestamp":"2024-01-01T00:00:00Z"}'),
      400,
      "INVALID_PARAMETER_VALUE",
    );
    await expectError(await post(`${table}/query`, '{"version":1}'), 400, "INVALID_PARAMETER_VALUE");
    const huge = JSON.stringify({
      predicateHints: ["x".repeat(60_000)].concat(Array(40).fill("y".repeat(60_000))),
    });
    await expectError(await post(`${table}/query`, huge), 413, "MALFORMED_REQUEST");
  });

  test("unusable predicate hints are ignored, never an error", async () => {
    const { files } = await queryFiles(server, "s/d/t", {});
    for (const body of [
      { jsonPredicateHints: "{broken" },
      { jsonPredicateHints: JSON.stringify({ op: "explode", children: [] }) },
      { predicateHints: ["day >>> 3", "nonsense("] },
      {
        jsonPredicateHints: JSON.stringify({
          op: "equal",
          children: [
            { op: "column", name: "nope", valueType: "int" },
            { op: "literal", value: "1", valueType: "int" },
          ],
        }),
      },
    ]) {
      const answer = await queryFiles(server, "s/d/t", body);
      assert.equal(answer.files.length, files.length, JSON.stringify(body));
    }
  });

  test("list parameters: negative or non-numeric maxResults, forged and misplaced page tokens", async () => {
    await expectError(await server.api("/shares?maxResults=-1"), 400, "INVALID_PARAMETER_VALUE");
    await expectError(await server.api("/shares?maxResults=abc"), 400, "INVALID_PARAMETER_VALUE");
    await expectError(await server.api("/shares?pageToken=forged"), 400, "INVALID_PARAMETER_VALUE");
    const first = (await (await server.api("/shares/other/schemas?maxResults=1")).json()) as {
      items: { name: string }[];
      nextPageToken: string;
    };
    assert.equal(first.items.length, 1);
    const next = first.nextPageToken;
    const second = (await (
      await server.api(`/shares/other/schemas?pageToken=${encodeURIComponent(next)}`)
    ).json()) as {
      items: { name: string }[];
      nextPageToken?: string;
    };
    assert.deepEqual(
      second.items.map((item) => item.name),
      ["y"],
    );
    assert.equal(second.nextPageToken, undefined);
    const tampered = `${next.slice(0, -2)}${next.endsWith("A") ? "B" : "A"}`;
    await expectError(
      await server.api(`/shares/other/schemas?pageToken=${encodeURIComponent(tampered)}`),
      400,
      "INVALID_PARAMETER_VALUE",
    );
    await expectError(
      await server.api(`/shares?pageToken=${encodeURIComponent(next)}`),
      400,
      "INVALID_PARAMETER_VALUE",
    );
  });

  test("metadata and version parameters of the wrong type", async () => {
    await expectError(await server.api(`${table}/metadata?version=abc`), 400, "INVALID_PARAMETER_VALUE");
    await expectError(
      await server.api(`${table}/metadata?version=1&timestamp=2024-01-01T00:00:00Z`),
      400,
      "INVALID_PARAMETER_VALUE",
    );
  });

  test("local file URLs: tampered, traversing and out-of-range requests", async () => {
    const { files } = await queryFiles(server, "s/d/t");
    const url = new URL(files[0]?.url ?? "");
    const ok = await fetch(url, { method: "HEAD" });
    assert.equal(ok.status, 200);
    const token = url.searchParams.get("sig");
    assert.ok(token);
    const flipped = `${token.slice(0, 10)}${token[10] === "A" ? "B" : "A"}${token.slice(11)}`;
    await expectError(await fetch(url.href.replace(token, flipped)), 403, "PERMISSION_DENIED");
    await expectError(
      await fetch(`${server.endpoint}/files/passwd?sp=r&sig=..%2F..%2Fetc%2Fpasswd`),
      403,
      "PERMISSION_DENIED",
    );
    await expectError(
      await fetch(`${server.endpoint}/files/..%2F..%2Fetc%2Fpasswd?sp=r&sig=${token}`),
      403,
      "PERMISSION_DENIED",
    );
    const outside = await fetch(url, { headers: { range: "bytes=999999999-" } });
    assert.equal(outside.status, 416);
    await outside.body?.cancel();
  });

  test("unknown endpoints and methods", async () => {
    await expectError(await server.api("/nowhere"), 404, "RESOURCE_DOES_NOT_EXIST");
    await expectError(await server.api("/shares", { method: "DELETE" }), 404, "RESOURCE_DOES_NOT_EXIST");
  });
});
