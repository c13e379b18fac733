// A sharing server over the delta-spark fixture tables, for the history tests: share "hist" has
// every table on local disk with history shared (their file times are the commit times delta-spark
// saw), "plain" the same without history, "late" the cdf table shared from version 2 on, and "s3"
// every table copied to the S3 test server. The Python client's delta format reads through
// delta-kernel, which fetches only presigned-looking URLs (X-Amz-Signature) over HTTP and takes
// anything else for a local path, so its reads go through "s3"; the copies there carry upload times
// as file times, so timestamp checks use "hist".
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type SparkTableName, type SparkTables, sparkFixtureTables } from "../../fixtures/sparkTables.ts";
import { type S3Ground, startS3 } from "../../ground/s3.ts";
import { startTestServer, type TestServer } from "../harness.ts";
import { type JsonAnswer, readAnswer } from "../ndjsonAnswer.ts";

export type { JsonAnswer };

export const sparkTableNames: SparkTableName[] = ["dv", "cm_name", "cm_id", "cdf", "evolving", "vacuumed"];

export interface HistoryGround {
  dir: string;
  tables: SparkTables;
  server: TestServer;
  s3: S3Ground;
  stop: () => Promise<void>;
}

export async function startHistoryGround(config: Record<string, unknown> = {}): Promise<HistoryGround> {
  const dir = await mkdtemp(join(tmpdir(), "dso-history-"));
  const started = Date.now();
  const tables = await sparkFixtureTables(dir);
  console.log(
    `# delta-spark fixture tables ready in ${Date.now() - started} ms (writing: ${JSON.stringify(tables.seconds)} s)`,
  );
  const list = (history: boolean) =>
    sparkTableNames.map((name) => ({ name, location: tables[name].location, historyShared: history }));
  const s3 = await startS3();
  await s3.createBucket("spark");
  await s3.uploadDirectory(join(dir, "tables"), "spark", "tables");
  process.env.AWS_ACCESS_KEY_ID = s3.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = s3.secretAccessKey;
  const inS3 = sparkTableNames.map((name) => ({
    name,
    location: `s3://spark/tables/${name}`,
    historyShared: true,
  }));
  const server = await startTestServer({
    s3: { endpoint: s3.endpoint, forcePathStyle: true, region: s3.region },
    shares: [
      { name: "s3", schemas: [{ name: "spark", tables: inS3 }] },
      { name: "hist", schemas: [{ name: "spark", tables: list(true) }] },
      { name: "plain", schemas: [{ name: "spark", tables: list(false) }] },
      {
        name: "late",
        schemas: [
          {
            name: "spark",
            tables: [{ name: "cdf", location: tables.cdf.location, historyShared: true, startVersion: 2 }],
          },
        ],
      },
    ],
    ...config,
  });
  return {
    dir,
    tables,
    server,
    s3,
    stop: async () => {
      await server.stop();
      await s3.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** An epoch-ms time in the protocol's timestamp format. */
export const iso = (millis: number): string => new Date(millis).toISOString();

/** A request to the server, its NDJSON lines or its JSON error. */
export async function call(server: TestServer, path: string, init: RequestInit = {}): Promise<JsonAnswer> {
  return readAnswer(await server.api(path, init));
}

export const tablePath = (share: string, table: string) => `/shares/${share}/schemas/spark/tables/${table}`;

export function postQuery(
  server: TestServer,
  share: string,
  table: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  return call(server, `${tablePath(share, table)}/query`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}
