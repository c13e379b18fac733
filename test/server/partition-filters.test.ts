// Partition filters per recipient (issue #17): one table partitioned by country, written by
// deltalake and served from the S3 test server, shared with `country = CURRENT_RECIPIENT('country')`.
// Two recipients with different `country` properties read it through the official Python client and
// each gets exactly deltalake's own read of its partition (newest version, change feed, delta
// format); the raw answers of every route (both formats, each page, refresh tokens, time travel,
// streaming, changes) hold no URL of another country's files; a recipient without the property
// gets nothing; a filter on a non-partition column is reported on the ops port and fails closed.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { batchWithClient } from "../fixtures/recipient.ts";
import { type Row, sortRows } from "../fixtures/tables.ts";
import { runPythonJson } from "../ground/python.ts";
import { type S3Ground, startS3 } from "../ground/s3.ts";
import { startTestServer, type TestServer } from "./harness.ts";

const bucket = "filters";
const script = "test/fixtures/country_table.py";
const table = "geo.sales.orders";

interface Slice {
  version: number;
  rows: Row[];
  changes: Row[];
  files: string[];
}

interface Reader {
  name: string;
  country: string | undefined;
  token: string;
  profile: string;
}

const readers: Omit<Reader, "token" | "profile">[] = [
  { name: "us-reader", country: "US" },
  { name: "fr-reader", country: "FR" },
  { name: "no-country", country: undefined },
];

function rowsOf(answer: Record<string, unknown>): Row[] {
  if ("error" in answer) throw new Error(String(answer.error));
  return sortRows(answer.rows as Row[]);
}

const untimed = (rows: Row[]) => sortRows(rows.map(({ _commit_timestamp: _t, ...row }) => row));

/** Every `url` anywhere in an NDJSON answer (file, add, remove, cdc and deletion-vector URLs). */
function urlsIn(body: string): string[] {
  const urls: string[] = [];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) {
        if (key === "url" && typeof inner === "string") urls.push(inner);
        else walk(inner);
      }
    }
  };
  for (const line of body.split("\n").filter(Boolean)) walk(JSON.parse(line));
  return urls;
}

/** The `country=` folders a presigned S3 URL's key passes through. */
function countriesOf(url: string): string[] {
  const key = decodeURIComponent(new URL(url).pathname);
  return key.split("/").filter((segment) => segment.startsWith("country="));
}

describe("partition filters per recipient", () => {
  let dir: string;
  let s3: S3Ground;
  let server: TestServer;
  const truth = new Map<string, Slice>();
  const people: Reader[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-filters-"));
    const location = join(dir, "tables", "orders");
    await runPythonJson(script, ["write", location]);
    for (const country of ["US", "FR"])
      truth.set(country, await runPythonJson<Slice>(script, ["slice", location, country]));
    s3 = await startS3();
    await s3.createBucket(bucket);
    await s3.uploadDirectory(join(dir, "tables"), bucket, "tables");
    process.env.AWS_ACCESS_KEY_ID = s3.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = s3.secretAccessKey;
    const recipients = readers.map((reader) => {
      const token = randomBytes(24).toString("base64url");
      people.push({ ...reader, token, profile: join(dir, `${reader.name}.share`) });
      return {
        name: reader.name,
        tokens: [{ sha256: createHash("sha256").update(token).digest("hex") }],
        shares: ["geo"],
        ...(reader.country ? { properties: { country: reader.country } } : {}),
      };
    });
    const s3Table = `s3://${bucket}/tables/orders`;
    server = await startTestServer({
      s3: { endpoint: s3.endpoint, forcePathStyle: true, region: s3.region },
      recipients,
      shares: [
        {
          name: "geo",
          schemas: [
            {
              name: "sales",
              tables: [
                {
                  name: "orders",
                  location: s3Table,
                  historyShared: true,
                  partitionFilter: "country = CURRENT_RECIPIENT('country')",
                },
                { name: "by_amount", location: s3Table, historyShared: true, partitionFilter: "amount > 1" },
              ],
            },
            {
              name: "lake",
              location: `s3://${bucket}/tables/`,
              historyShared: true,
              partitionFilter: "country = CURRENT_RECIPIENT('country')",
            },
          ],
        },
      ],
    });
    for (const person of people) {
      await writeFile(
        person.profile,
        JSON.stringify({ shareCredentialsVersion: 1, endpoint: server.endpoint, bearerToken: person.token }),
      );
    }
  });

  after(async () => {
    await server?.stop();
    await s3?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const person = (name: string) => people.find((p) => p.name === name) as Reader;
  const as = (who: Reader, path: string, init: RequestInit = {}) =>
    fetch(`${server.endpoint}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${who.token}`,
        "content-type": "application/json",
        ...(init.headers as Record<string, string>),
      },
      signal: AbortSignal.timeout(30_000),
    });
  const tablePath = "/shares/geo/schemas/sales/tables/orders";

  for (const name of ["us-reader", "fr-reader"]) {
    test(`${name} reads exactly its partition through the Python client, as deltalake reads it`, async () => {
      const who = person(name);
      const slice = truth.get(who.country as string) as Slice;
      const answers = await batchWithClient(who.profile, [
        { op: "load", table },
        { op: "load", table, use_delta_format: true },
        { op: "changes", table, starting_version: 0 },
        { op: "changes", table, starting_version: 0, use_delta_format: true },
      ]);
      const [parquet, delta, changes, deltaChanges] = answers as Record<string, unknown>[];
      assert.ok(slice.rows.length > 0);
      assert.deepEqual(rowsOf(parquet as Record<string, unknown>), sortRows(slice.rows));
      assert.deepEqual(rowsOf(delta as Record<string, unknown>), sortRows(slice.rows));
      assert.deepEqual(untimed(rowsOf(changes as Record<string, unknown>)), untimed(slice.changes));
      assert.deepEqual(untimed(rowsOf(deltaChanges as Record<string, unknown>)), untimed(slice.changes));
    });

    test(`no raw answer to ${name} names a file of another country, on any route or page`, async () => {
      const who = person(name);
      const slice = truth.get(who.country as string) as Slice;
      const post = (body: unknown, headers: Record<string, string> = {}) =>
        as(who, `${tablePath}/query`, { method: "POST", body: JSON.stringify(body), headers });
      const delta = { "delta-sharing-capabilities": "responseformat=delta" };
      const bodies: string[] = [];
      const keep = async (response: Response) => {
        const text = await response.text();
        assert.equal(response.status, 200, text);
        bodies.push(text);
        return text;
      };
      const newest = await keep(await post({}));
      await keep(await post({}, delta));
      await keep(await post({ version: 3 }));
      await keep(await post({ startingVersion: 0 }));
      await keep(await post({ startingVersion: 0 }, delta));
      await keep(await as(who, `${tablePath}/changes?startingVersion=0`));
      await keep(await as(who, `${tablePath}/changes?startingVersion=0`, { headers: delta }));
      const refreshed = JSON.parse(
        (await keep(await post({ includeRefreshToken: true }))).trim().split("\n").at(-1) as string,
      );
      await keep(await post({ refreshToken: refreshed.endStreamAction.refreshToken }));
      // one file per page, following the tokens to the end
      const paged: string[] = [];
      let token: string | undefined;
      for (let page = 0; page < 50; page++) {
        const text = await keep(await post({ maxFiles: 1, ...(token ? { pageToken: token } : {}) }));
        paged.push(...urlsIn(text));
        token = JSON.parse(text.trim().split("\n").at(-1) as string).endStreamAction?.nextPageToken;
        if (!token) break;
      }
      assert.equal(token, undefined, "paging ended");
      const keyOf = (url: string) =>
        decodeURIComponent(new URL(url).pathname).replace(`/${bucket}/tables/orders/`, "");
      assert.deepEqual(urlsIn(newest).map(keyOf).sort(), [...slice.files].sort());
      assert.deepEqual(paged.map(keyOf).sort(), [...slice.files].sort());
      const all = bodies.flatMap(urlsIn);
      assert.ok(all.length > slice.files.length);
      for (const url of all) assert.deepEqual(countriesOf(url), [`country=${who.country}`], url);
      // the metadata leaves the whole table's size out
      const metadata = await keep(await as(who, `${tablePath}/metadata`));
      assert.doesNotMatch(metadata, /"numFiles"|"size"/);
    });
  }

  test("a whole-schema share in S3 picks up a table uploaded after the server started, filtered alike", async () => {
    const who = person("fr-reader");
    const before = (await (await as(who, "/shares/geo/schemas/lake/tables")).json()) as {
      items: { name: string }[];
    };
    assert.deepEqual(
      before.items.map((item) => item.name),
      ["orders"],
    );
    await s3.uploadDirectory(join(dir, "tables", "orders"), bucket, "tables/copy");
    const [load, changes] = await batchWithClient(who.profile, [
      { op: "load", table: "geo.lake.copy", use_delta_format: true },
      { op: "changes", table: "geo.lake.copy", starting_version: 0 },
    ]);
    const slice = truth.get("FR") as Slice;
    assert.deepEqual(rowsOf(load as Record<string, unknown>), sortRows(slice.rows));
    assert.deepEqual(untimed(rowsOf(changes as Record<string, unknown>)), untimed(slice.changes));
    const status = (await (await fetch(`${server.opsUrl}/status`)).json()) as {
      discovered: { schema: string; tables: string[] }[];
    };
    assert.deepEqual(status.discovered.find((entry) => entry.schema === "lake")?.tables, ["copy", "orders"]);
  });

  test("a recipient without the property gets nothing, in either format", async () => {
    const who = person("no-country");
    const answers = await batchWithClient(who.profile, [
      { op: "load", table },
      { op: "load", table, use_delta_format: true },
    ]);
    for (const answer of answers) assert.deepEqual(rowsOf(answer), []);
    const changes = await as(who, `${tablePath}/changes?startingVersion=0`);
    assert.deepEqual(urlsIn(await changes.text()), []);
  });

  test("a filter on a non-partition column is reported on the ops port and fails closed", async () => {
    const who = person("us-reader");
    const path = "/shares/geo/schemas/sales/tables/by_amount";
    for (const response of [
      await as(who, `${path}/query`, { method: "POST", body: "{}" }),
      await as(who, `${path}/metadata`),
      await as(who, `${path}/changes?startingVersion=0`),
      await as(who, `${path}/query`, { method: "POST", body: JSON.stringify({ startingVersion: 0 }) }),
    ]) {
      const text = await response.text();
      assert.equal(response.status, 400, text);
      assert.equal(JSON.parse(text).errorCode, "INVALID_TABLE_STATE");
      assert.match(text, /'amount', which is not a partition column; nothing is served/);
    }
    let filters: { schema: string; table: string; ok: boolean; message: string | null }[] = [];
    const byTable = () =>
      Object.fromEntries(filters.map((filter) => [`${filter.schema}.${filter.table}`, filter]));
    for (let attempt = 0; attempt < 100; attempt++) {
      const status = (await (await fetch(`${server.opsUrl}/status`)).json()) as { filters?: typeof filters };
      filters = status.filters ?? [];
      if (byTable()["sales.orders"] && byTable()["sales.by_amount"]) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const reported = byTable();
    assert.equal(reported["sales.orders"]?.ok, true);
    assert.equal(reported["sales.by_amount"]?.ok, false);
    assert.match(reported["sales.by_amount"]?.message ?? "", /'amount', which is not a partition column/);
    const audit = (await readFile(join(server.dir, "audit.log"), "utf8")).split("\n").filter(Boolean);
    const events = audit.map((line) => JSON.parse(line) as { table: string; partitionFilter: string | null });
    assert.ok(events.some((event) => event.table === "by_amount" && event.partitionFilter === "amount > 1"));
    assert.ok(
      events.some(
        (event) =>
          event.table === "orders" && event.partitionFilter === "country = CURRENT_RECIPIENT('country')",
      ),
    );
  });
});
