// One fixture table served twice by a test server: from S3 (S3Proxy) as s/d/cloud and from local
// disk as s/d/disk, for tests that must hold for both kinds of storage and their URLs.
import { join } from "node:path";
import type { FixtureName } from "../fixtures/tables.ts";
import type { S3Ground } from "../ground/s3.ts";
import { type ConfigShape, startTestServer, type TestServer } from "./harness.ts";

export async function startCloudAndDiskServer(
  s3: S3Ground,
  tablesDir: string,
  /** The table's folder under tablesDir: a fixture's name, or any table written there. */
  fixture: FixtureName | string,
  bucket: string,
  config: Record<string, unknown>,
): Promise<TestServer> {
  await s3.createBucket(bucket);
  await s3.uploadDirectory(join(tablesDir, fixture), bucket, fixture);
  process.env.AWS_ACCESS_KEY_ID = s3.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = s3.secretAccessKey;
  const shape: ConfigShape = {
    ...config,
    s3: { endpoint: s3.endpoint, forcePathStyle: true, region: s3.region },
    shares: [
      {
        name: "s",
        schemas: [
          {
            name: "d",
            tables: [
              { name: "cloud", location: `s3://${bucket}/${fixture}` },
              { name: "disk", location: join(tablesDir, fixture) },
            ],
          },
        ],
      },
    ],
  };
  return startTestServer(shape);
}
