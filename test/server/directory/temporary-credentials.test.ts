// Directory access against a real STS emulator and an S3 that checks session credentials (moto in
// server mode, authentication on): the server chains from its own role session (the SDK's default
// chain, as IRSA would give it) to the reader role; the credentials it hands out read the table
// through deltalake exactly as deltalake read the table it wrote; recipients and tables without
// directory access, and tables whose directory would show more than is shared, get 403 with the
// reason. What moto cannot enforce (the session policy) is checked in session-policy.test.ts.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Expected, readTable, sortRows, writeFixtureTables } from "../../fixtures/tables.ts";
import { type MotoAws, type MotoGround, startMoto } from "../../ground/moto.ts";
import { freePort } from "../../ground/ports.ts";
import { startTestServer, type TestServer } from "../harness.ts";
import { assertNoSecrets, auditEvents } from "../recipients/audit.ts";

const tokens = { reader: "reader-token-0123456789", plain: "plain-token-0123456789" };
const hash = (token: string) => createHash("sha256").update(token).digest("hex");

interface CredentialsAnswer {
  credentials: {
    location: string;
    awsTempCredentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
    expirationTime: number;
  };
}

describe("temporary table credentials (moto STS and S3)", () => {
  let moto: MotoGround;
  let aws: MotoAws;
  let server: TestServer;
  let expected: Expected;
  let dir: string;
  const saved = { ...process.env };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-directory-"));
    expected = await writeFixtureTables(join(dir, "tables"));
    moto = await startMoto();
    aws = await moto.setup({
      buckets: ["tables", "other"],
      uploads: [
        { dir: expected.small.location, bucket: "tables", prefix: "sales/small" },
        { dir: expected.partitioned.location, bucket: "tables", prefix: "sales/partitioned" },
        { dir: expected.small.location, bucket: "other", prefix: "small" },
      ],
      readerBucket: "tables",
    });
    // the server's own credentials: its role's session, from the environment (the default chain)
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: aws.server.accessKeyId,
      AWS_SECRET_ACCESS_KEY: aws.server.secretAccessKey,
      AWS_SESSION_TOKEN: aws.server.sessionToken,
      AWS_REGION: moto.region,
      AWS_EC2_METADATA_DISABLED: "true",
    });
    const table = (name: string, location: string, extra: Record<string, unknown>) => ({
      name,
      location,
      ...extra,
    });
    server = await startTestServer({
      shares: [
        {
          name: "sales",
          schemas: [
            {
              name: "s",
              tables: [
                table("small", "s3://tables/sales/small", { historyShared: true, directoryAccess: true }),
                table("partitioned", "s3a://tables/sales/partitioned/", {
                  historyShared: true,
                  directoryAccess: true,
                }),
                table("nohistory", "s3://tables/sales/small", { directoryAccess: true }),
                table("late", "s3://tables/sales/small", {
                  historyShared: true,
                  startVersion: 1,
                  directoryAccess: true,
                }),
                table("urlonly", "s3://tables/sales/small", { historyShared: true }),
              ],
            },
          ],
        },
      ],
      recipients: [
        {
          name: "reader",
          tokens: [{ sha256: hash(tokens.reader) }],
          shares: ["sales"],
          directoryAccess: true,
        },
        { name: "plain", tokens: [{ sha256: hash(tokens.plain) }], shares: ["sales"] },
      ],
      s3: { endpoint: moto.endpoint, forcePathStyle: true, region: moto.region },
      directoryAccess: { readerRoleArn: aws.readerRoleArn, sessionSeconds: 900, stsEndpoint: moto.endpoint },
    });
  });

  after(async () => {
    await server?.stop();
    await moto?.stop();
    process.env = saved;
    await rm(dir, { recursive: true, force: true });
  });

  const call = (who: keyof typeof tokens, path: string, init: RequestInit = {}) =>
    server.api(path, {
      ...init,
      headers: { authorization: `Bearer ${tokens[who]}`, ...(init.headers as Record<string, string>) },
    });
  const credentials = (who: keyof typeof tokens, table: string, body?: unknown) =>
    call(who, `/shares/sales/schemas/s/tables/${table}/temporary-table-credentials`, {
      method: "POST",
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
    });
  const s3Of = (answer: CredentialsAnswer) => ({
    endpoint: moto.endpoint,
    region: moto.region,
    accessKey: answer.credentials.awsTempCredentials.accessKeyId,
    secretKey: answer.credentials.awsTempCredentials.secretAccessKey,
    sessionToken: answer.credentials.awsTempCredentials.sessionToken,
  });
  const handedOut: string[] = [];

  it("gives an allowed recipient credentials with STS's own expiry, for the table's prefix only", async () => {
    const asked = Date.now();
    const response = await credentials("reader", "small");
    assert.equal(response.status, 200, await response.clone().text());
    assert.equal(response.headers.get("cache-control"), "no-store");
    const answer = (await response.json()) as CredentialsAnswer;
    const { awsTempCredentials, expirationTime, location } = answer.credentials;
    handedOut.push(awsTempCredentials.secretAccessKey, awsTempCredentials.sessionToken);
    assert.equal(location, "s3://tables/sales/small");
    // moto's STS sets the expiry to the request time plus DurationSeconds (900 here, not a default)
    assert.ok(
      expirationTime >= asked + 895_000 && expirationTime <= Date.now() + 905_000,
      `${expirationTime}`,
    );

    const issued = (await moto.assumedRoles()).find(
      (session) => session.access_key_id === awsTempCredentials.accessKeyId,
    );
    assert.ok(issued, "moto's STS issued these credentials");
    assert.equal(issued.role_arn, aws.readerRoleArn);
    assert.equal(issued.session_name, "delta-sharing@reader");
    const policy = JSON.parse(issued.policy ?? "null") as {
      Statement: { Action: string; Resource: string; Condition?: unknown }[];
    };
    assert.deepEqual(
      policy.Statement.map(({ Action, Resource, Condition }) => ({ Action, Resource, Condition })),
      [
        { Action: "s3:GetObject", Resource: "arn:aws:s3:::tables/sales/small/*", Condition: undefined },
        {
          Action: "s3:ListBucket",
          Resource: "arn:aws:s3:::tables",
          Condition: { StringLike: { "s3:prefix": ["sales/small/", "sales/small/*"] } },
        },
      ],
    );
  });

  it("reads the table through deltalake with those credentials, equal to deltalake's own read", async () => {
    for (const name of ["small", "partitioned"] as const) {
      const answer = (await (await credentials("reader", name)).json()) as CredentialsAnswer;
      handedOut.push(answer.credentials.awsTempCredentials.sessionToken);
      assert.equal(answer.credentials.location, `s3://tables/sales/${name}`);
      const read = await readTable(answer.credentials.location, { s3: s3Of(answer) });
      const truth = expected[name];
      assert.equal(read.latestVersion, truth.latestVersion);
      for (const [version, rows] of Object.entries(truth.versions)) {
        assert.deepEqual(sortRows(read.versions[version] ?? []), sortRows(rows), `${name} v${version}`);
      }
    }
  });

  it("leaves the checks moto does make to moto: another bucket and a forged token are refused", async () => {
    const answer = (await (await credentials("reader", "small")).json()) as CredentialsAnswer;
    const s3 = s3Of(answer);
    // S3's error code in deltalake's report (the command line, which also holds the keys, is not looked at)
    const refusedWith = (code: string) => (error: Error) =>
      error.message.split("--- stderr ---")[1]?.includes(`<Code>${code}</Code>`) === true;
    await assert.rejects(readTable("s3://other/small", { s3 }), refusedWith("AccessDenied"));
    const forged = { ...s3, sessionToken: `${s3.sessionToken.slice(0, -4)}AAAA` };
    await assert.rejects(readTable(answer.credentials.location, { s3: forged }), refusedWith("InvalidToken"));
  });

  it("accepts the table's own location in the body and refuses any other", async () => {
    assert.equal(
      (await credentials("reader", "small", { location: "s3a://tables/sales/small/" })).status,
      200,
    );
    assert.equal((await credentials("reader", "small", {})).status, 200);
    const other = await credentials("reader", "small", { location: "s3://tables/sales/partitioned" });
    assert.equal(other.status, 400);
    assert.equal(((await other.json()) as { errorCode: string }).errorCode, "INVALID_PARAMETER_VALUE");
  });

  it("refuses with 403 and the reason: recipient or table without it, history not shared, startVersion", async () => {
    const refusals: [keyof typeof tokens, string, RegExp][] = [
      ["plain", "small", /recipient 'plain' is not allowed directory access/],
      ["reader", "urlonly", /does not offer directory access/],
      ["reader", "nohistory", /does not share its history/],
      ["reader", "late", /from version 1 only/],
    ];
    for (const [who, table, reason] of refusals) {
      const response = await credentials(who, table);
      assert.equal(response.status, 403, `${who} ${table}`);
      const body = (await response.json()) as { errorCode: string; message: string };
      assert.equal(body.errorCode, "PERMISSION_DENIED");
      assert.match(body.message, reason);
    }
    assert.equal((await credentials("reader", "missing")).status, 404);
  });

  it("answers 500 when STS refuses the server and 503 when STS is unreachable, naming no secret", async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const cases: [string, string, number, string][] = [
      // the server role's trust policy names only the pod identity, not the server itself
      [aws.serverRoleArn, moto.endpoint, 500, "INTERNAL_ERROR"],
      [aws.readerRoleArn, closed, 503, "TEMPORARILY_UNAVAILABLE"],
    ];
    for (const [readerRoleArn, stsEndpoint, status, errorCode] of cases) {
      const other = await startTestServer({
        shares: [
          {
            name: "sales",
            schemas: [
              {
                name: "s",
                tables: [
                  {
                    name: "small",
                    location: "s3://tables/sales/small",
                    historyShared: true,
                    directoryAccess: true,
                  },
                ],
              },
            ],
          },
        ],
        recipients: [
          {
            name: "reader",
            tokens: [{ sha256: hash(tokens.reader) }],
            shares: ["sales"],
            directoryAccess: true,
          },
        ],
        s3: { endpoint: moto.endpoint, forcePathStyle: true, region: moto.region },
        directoryAccess: { readerRoleArn, sessionSeconds: 900, stsEndpoint },
      });
      try {
        const response = await other.api("/shares/sales/schemas/s/tables/small/temporary-table-credentials", {
          method: "POST",
          headers: { authorization: `Bearer ${tokens.reader}` },
        });
        assert.equal(response.status, status, readerRoleArn);
        assert.equal(((await response.json()) as { errorCode: string }).errorCode, errorCode);
        if (status === 500) assert.match(other.logs(), /STS refused to assume/);
        assert.ok(!other.logs().includes(aws.server.secretAccessKey), "the server's secret was logged");
      } finally {
        await other.stop();
      }
    }
  });

  it("names dir and the location in metadata and list answers only where credentials would be given", async () => {
    const modes = async (who: keyof typeof tokens) => {
      const listed = (await (await call(who, "/shares/sales/all-tables")).json()) as {
        items: { name: string; accessModes: string[]; location?: string }[];
      };
      return Object.fromEntries(listed.items.map((item) => [item.name, [item.accessModes, item.location]]));
    };
    assert.deepEqual(await modes("reader"), {
      small: [["url", "dir"], "s3://tables/sales/small"],
      partitioned: [["url", "dir"], "s3://tables/sales/partitioned"],
      nohistory: [["url"], undefined],
      late: [["url"], undefined],
      urlonly: [["url"], undefined],
    });
    for (const entry of Object.values(await modes("plain"))) assert.deepEqual(entry, [["url"], undefined]);

    // the metadata line of /metadata and of /query answers, in either response format
    const metadataLine = async (who: keyof typeof tokens, route: "metadata" | "query", format?: string) => {
      const headers: Record<string, string> = format
        ? { "delta-sharing-capabilities": `responseformat=${format}` }
        : {};
      const init: RequestInit =
        route === "query"
          ? { method: "POST", body: "{}", headers: { ...headers, "content-type": "application/json" } }
          : { headers };
      const text = await (await call(who, `/shares/sales/schemas/s/tables/small/${route}`, init)).text();
      const line = JSON.parse(text.trim().split("\n")[1] as string) as {
        metaData: { accessModes: string[]; location?: string };
      };
      return [line.metaData.accessModes, line.metaData.location];
    };
    for (const route of ["metadata", "query"] as const) {
      for (const format of [undefined, "delta"]) {
        const what = `${route} ${format ?? "parquet"}`;
        assert.deepEqual(
          await metadataLine("reader", route, format),
          [["url", "dir"], "s3://tables/sales/small"],
          what,
        );
        assert.deepEqual(await metadataLine("plain", route, format), [["url"], undefined], what);
      }
    }
  });

  it("audits every credentials request like a query, without a secret", async () => {
    const events = (await auditEvents(join(server.dir, "audit.log"))).filter(
      (event) => event.kind === "temporaryTableCredentials",
    );
    const granted = events.filter((event) => event.status === 200);
    assert.ok(granted.length >= 4);
    for (const event of granted) {
      assert.equal(event.recipient, "reader");
      assert.match(String(event.credentialsExpireAt), /^\d{4}-\d\d-\d\dT/);
    }
    const refused = events.filter((event) => event.status === 403);
    assert.deepEqual(
      refused.map((event) => [event.recipient, event.table, event.errorCode]),
      [
        ["plain", "small", "PERMISSION_DENIED"],
        ["reader", "urlonly", "PERMISSION_DENIED"],
        ["reader", "nohistory", "PERMISSION_DENIED"],
        ["reader", "late", "PERMISSION_DENIED"],
      ],
    );
    const audit = JSON.stringify(events);
    const logs = server.logs();
    for (const secret of handedOut) {
      assert.ok(!audit.includes(secret) && !logs.includes(secret), "a credential secret was logged");
    }
    assertNoSecrets({ "server log": logs, audit }, Object.values(tokens));
  });
});
