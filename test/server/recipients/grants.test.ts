// Two recipients made with the recipient command, each granted one share, read through the official
// Python client: each sees and reads only its own share; a share it was not granted answers byte for
// byte like one that does not exist; every data request leaves one audit event, checked field by
// field; metrics count it all; and no token or hash appears in any log.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { stringify } from "yaml";
import { listWithClient, loadWithClient } from "../../fixtures/recipient.ts";
import { type Expected, sortRows, writeFixtureTables } from "../../fixtures/tables.ts";
import { freePort } from "../../ground/ports.ts";
import { startTestServer, type TestServer } from "../harness.ts";
import { assertNoSecrets, auditEvents } from "./audit.ts";
import { type MadeRecipient, runRecipient, writeProfile } from "./cli.ts";

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

async function answer(response: Response): Promise<Answer> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name !== "date") headers[name] = value;
  });
  return { status: response.status, headers, body: await response.text() };
}

describe("recipients see only their grants", () => {
  let dir: string;
  let expected: Expected;
  let server: TestServer;
  let alice: MadeRecipient;
  let bob: MadeRecipient;
  let aliceProfile: string;
  let bobProfile: string;
  let auditPath: string;
  let config: Record<string, unknown> & { shares: unknown[] };

  const shares = (tables: string, withHr: boolean) => [
    {
      name: "sales",
      schemas: [
        {
          name: "fixtures",
          tables: [
            { name: "small", location: join(tables, "small") },
            { name: "partitioned", location: join(tables, "partitioned") },
          ],
        },
      ],
    },
    ...(withHr
      ? [
          {
            name: "hr",
            schemas: [
              {
                name: "fixtures",
                tables: [{ name: "checkpointed", location: join(tables, "checkpointed") }],
              },
            ],
          },
        ]
      : []),
  ];

  const as = (who: MadeRecipient, path: string, init: RequestInit = {}) =>
    fetch(`${server.endpoint}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${who.token}`, ...(init.headers as Record<string, string>) },
      signal: AbortSignal.timeout(30_000),
    });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-grants-"));
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}/delta-sharing`;
    [expected, alice, bob] = await Promise.all([
      writeFixtureTables(join(dir, "tables")),
      runRecipient(["create", "alice", "--endpoint", endpoint, "--share", "sales"]),
      runRecipient(["create", "bob", "--endpoint", endpoint, "--share", "hr"]),
    ]);
    aliceProfile = await writeProfile(dir, alice, "alice");
    bobProfile = await writeProfile(dir, bob, "bob");
    auditPath = join(dir, "audit", "audit.log");
    config = {
      port,
      shares: shares(join(dir, "tables"), true),
      recipients: [alice.entry, bob.entry],
      audit: { destination: "file", file: auditPath },
    };
    server = await startTestServer(config);
  });

  after(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test("the recipient command makes a 256-bit token and stores only its hash", () => {
    assert.equal(Buffer.from(alice.token, "base64url").length, 32);
    assert.notEqual(alice.token, bob.token);
    assert.deepEqual(Object.keys(alice.entry.tokens[0] ?? {}), ["sha256"]);
    assert.match(alice.entry.tokens[0]?.sha256 ?? "", /^[0-9a-f]{64}$/);
    assert.ok(!JSON.stringify(alice.entry).includes(alice.token));
    assert.deepEqual(alice.entry.shares, ["sales"]);
  });

  test("each recipient lists only its own shares through the official client", async () => {
    const [aliceSees, bobSees] = await Promise.all([
      listWithClient(aliceProfile),
      listWithClient(bobProfile),
    ]);
    assert.deepEqual(aliceSees.shares, ["sales"]);
    assert.deepEqual(aliceSees.tables["sales.fixtures"], ["small", "partitioned"]);
    assert.deepEqual(bobSees.shares, ["hr"]);
    assert.deepEqual(bobSees.allTables.hr, ["fixtures.checkpointed"]);
  });

  test("each recipient reads its own tables and not the other's", async () => {
    const [small, checkpointed, aliceTriesHr, bobTriesSales] = await Promise.all([
      loadWithClient(aliceProfile, "sales.fixtures.small"),
      loadWithClient(bobProfile, "hr.fixtures.checkpointed"),
      loadWithClient(aliceProfile, "hr.fixtures.checkpointed").then(
        () => "read",
        (error: Error) => error.message,
      ),
      loadWithClient(bobProfile, "sales.fixtures.small").then(
        () => "read",
        (error: Error) => error.message,
      ),
    ]);
    assert.deepEqual(
      sortRows(small.rows),
      sortRows(expected.small.versions[String(expected.small.latestVersion)] ?? []),
    );
    const latest = String(expected.checkpointed.latestVersion);
    assert.deepEqual(sortRows(checkpointed.rows), sortRows(expected.checkpointed.versions[latest] ?? []));
    assert.match(aliceTriesHr, /RESOURCE_DOES_NOT_EXIST|does not exist/);
    assert.match(bobTriesSales, /RESOURCE_DOES_NOT_EXIST|does not exist/);
  });

  test("every data request leaves one audit event, field by field", async () => {
    const hint = JSON.stringify({
      op: "equal",
      children: [
        { op: "column", name: "day", valueType: "date" },
        { op: "literal", value: "2024-01-03", valueType: "date" },
      ],
    });
    const response = await as(alice, "/shares/sales/schemas/fixtures/tables/partitioned/query", {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "audit-check/1" },
      body: JSON.stringify({ jsonPredicateHints: hint, limitHint: 1000 }),
    });
    assert.equal(response.status, 200);
    const lines = (await response.text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const files = lines.filter((line) => line.file !== undefined).length;
    assert.ok(files > 0);
    await as(bob, "/shares/sales/schemas/fixtures/tables/partitioned/metadata", {
      headers: { "user-agent": "audit-check/2" },
    }).then((r) => r.body?.cancel());
    await as({ ...alice, token: "not-a-token" }, "/shares", {
      headers: { "user-agent": "audit-check/3" },
    }).then((r) => r.body?.cancel());

    const events = await auditEvents(auditPath);
    const query = events.find((event) => event.userAgent === "audit-check/1");
    assert.ok(query, "the query's audit event");
    assert.equal(typeof query.time, "string");
    assert.ok(Math.abs(Date.parse(query.time as string) - Date.now()) < 60_000);
    assert.equal(query.recipient, "alice");
    assert.equal(query.kind, "query");
    assert.equal(query.method, "POST");
    assert.equal(query.share, "sales");
    assert.equal(query.schema, "fixtures");
    assert.equal(query.table, "partitioned");
    assert.equal(query.tableVersion, expected.partitioned.latestVersion);
    assert.equal(query.filesReturned, files);
    assert.equal(query.limitHint, 1000);
    const predicates = query.predicates as Record<string, unknown>;
    assert.equal(predicates.json, hint);
    assert.deepEqual(predicates.sql, []);
    assert.equal(predicates.unusable, 0);
    assert.equal(predicates.pruned, true);
    assert.equal(
      predicates.filesPruned,
      (expected.partitioned.fileCounts[String(expected.partitioned.latestVersion)] ?? 0) - files,
    );
    assert.equal(query.status, 200);
    assert.equal(query.errorCode, null);
    assert.equal(query.aborted, false);
    assert.equal(typeof query.durationMs, "number");
    assert.ok((query.durationMs as number) >= 0 && (query.durationMs as number) < 30_000);
    assert.equal(query.clientAddress, "127.0.0.1");

    const refused = events.find((event) => event.userAgent === "audit-check/2");
    assert.deepEqual(
      [
        refused?.recipient,
        refused?.kind,
        refused?.share,
        refused?.table,
        refused?.status,
        refused?.errorCode,
      ],
      ["bob", "metadata", "sales", "partitioned", 404, "RESOURCE_DOES_NOT_EXIST"],
    );
    const unknown = events.find((event) => event.userAgent === "audit-check/3");
    assert.deepEqual(
      [unknown?.recipient, unknown?.kind, unknown?.status, unknown?.errorCode],
      [null, "listShares", 401, "UNAUTHENTICATED"],
    );
    // the Python client's reads are there too, one event per request
    const clientReads = events.filter(
      (event) => String(event.userAgent).startsWith("Delta-Sharing-Python/") && event.kind === "query",
    );
    assert.ok(
      clientReads.some(
        (event) => event.recipient === "alice" && event.table === "small" && event.status === 200,
      ),
    );
    assert.ok(clientReads.some((event) => event.recipient === "bob" && event.table === "checkpointed"));
    const ids = events.map((event) => event.requestId);
    assert.equal(new Set(ids).size, ids.length, "one event per request");
  });

  test("metrics count requests by route, status and recipient, files signed and cache use", async () => {
    await as(alice, "/shares/sales/schemas/fixtures/tables/small/query", {
      method: "POST",
      body: JSON.stringify({ jsonPredicateHints: "{not json" }),
      headers: { "content-type": "application/json" },
    }).then((r) => r.text());
    const text = await (await fetch(`${server.opsUrl}/metrics`)).text();
    const value = (pattern: RegExp) => {
      const line = text.split("\n").find((candidate) => pattern.test(candidate));
      assert.ok(line, `a metric line matching ${pattern}`);
      return Number(line.split(" ").at(-1));
    };
    const query = "/delta-sharing/shares/:share/schemas/:schema/tables/:table/query";
    assert.ok(
      value(
        new RegExp(
          `^delta_sharing_requests_total\\{route="${query.replaceAll("/", "\\/")}",method="POST",status="200",recipient="alice"\\}`,
        ),
      ) >= 2,
    );
    assert.ok(
      value(
        /^delta_sharing_requests_total\{route="[^"]*metadata",method="GET",status="404",recipient="bob"\}/,
      ) >= 1,
    );
    assert.ok(
      value(
        /^delta_sharing_requests_total\{route="\/delta-sharing\/shares",method="GET",status="401",recipient="-"\}/,
      ) >= 1,
    );
    assert.ok(
      value(/^delta_sharing_request_duration_seconds_count\{route="[^"]*query",method="POST"\}/) >= 2,
    );
    assert.ok(value(/^delta_sharing_files_signed_total\{recipient="alice"\}/) > 0);
    assert.ok(value(/^delta_sharing_files_signed_total\{recipient="bob"\}/) > 0);
    assert.ok(value(/^delta_sharing_snapshot_cache_total\{result="miss"\}/) >= 3);
    assert.ok(value(/^delta_sharing_snapshot_cache_total\{result="hit"\}/) >= 1);
    assert.equal(value(/^delta_sharing_predicate_hints_unusable_total\{hint="jsonPredicateHints"\}/), 1);
    assert.ok(value(/^delta_sharing_auth_failures_total\{reason="token"\}/) >= 1);
    assert.match(text, /^process_resident_memory_bytes \d+/m);
  });

  test("a share not granted answers byte for byte like a share that does not exist", async () => {
    const requests: [string, RequestInit?][] = [
      ["/shares"],
      ["/shares/hr"],
      ["/shares/HR"],
      ["/shares/hr/schemas"],
      ["/shares/hr/all-tables"],
      ["/shares/hr/schemas/fixtures/tables"],
      ["/shares/hr/schemas/fixtures/tables/checkpointed/version"],
      ["/shares/hr/schemas/fixtures/tables/checkpointed", { method: "HEAD" }],
      ["/shares/hr/schemas/fixtures/tables/checkpointed/metadata"],
      ["/shares/hr/schemas/fixtures/tables/checkpointed/query", { method: "POST", body: "{}" }],
      ["/shares/hr/schemas/fixtures/tables/checkpointed/changes?startingVersion=0"],
      ["/shares/hr/schemas/nope/tables/nope/metadata"],
    ];
    const ask = () => Promise.all(requests.map(([path, init]) => as(alice, path, init).then(answer)));
    const notGranted = await ask();
    assert.ok(
      notGranted.slice(1).every((a) => a.status === 404),
      JSON.stringify(notGranted),
    );

    // the same server, the same recipient, with share hr gone from the configuration
    const withoutHr = {
      ...config,
      shares: shares(join(dir, "tables"), false),
      recipients: [alice.entry, { ...bob.entry, shares: [] }],
    };
    await writeFile(server.configPath, stringify({ version: 1, host: "127.0.0.1", ...withoutHr }));
    await server.running.reload();
    assert.equal(server.running.context().catalog.share("hr"), undefined, "the configuration was reloaded");
    const missing = await ask();
    assert.deepEqual(missing, notGranted);
    await writeFile(server.configPath, stringify({ version: 1, host: "127.0.0.1", ...config }));
    await server.running.reload();
    assert.ok(server.running.context().catalog.share("hr"));
  });

  test("no token, token hash or URL signature appears in any log", async () => {
    await server.stop();
    const texts = { "server log": server.logs(), "audit log": await readFile(auditPath, "utf8") };
    assert.ok(texts["audit log"].length > 0 && texts["server log"].length > 0);
    assertNoSecrets(texts, [alice.token, bob.token]);
  });
});
