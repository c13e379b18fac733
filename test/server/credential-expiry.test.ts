// With temporary credentials (IRSA, Pod Identity) a presigned URL dies when its signing credentials
// do, whatever X-Amz-Expires says: the server must cap the lifetime and report the true expiry.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { stringify } from "yaml";
import { writeFixtureTables } from "../fixtures/tables.ts";
import { repoRoot } from "../ground/paths.ts";
import { freePort } from "../ground/ports.ts";
import { type RunningProcess, startProcess } from "../ground/process.ts";
import { type S3Ground, startS3 } from "../ground/s3.ts";

describe("credentials that expire before the configured URL lifetime", () => {
  let dir: string;
  let s3: S3Ground;
  let server: RunningProcess;
  let endpoint: string;
  const token = "credential-expiry-test-token-0123456789";
  const credentialExpiry = new Date(Date.now() + 120_000);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-credexp-"));
    [, s3] = await Promise.all([writeFixtureTables(join(dir, "tables")), startS3()]);
    await s3.createBucket("temporary");
    await s3.uploadDirectory(join(dir, "tables", "small"), "temporary", "small");
    const port = await freePort();
    endpoint = `http://127.0.0.1:${port}/delta-sharing`;
    const configPath = join(dir, "server.yaml");
    await writeFile(
      configPath,
      stringify({
        version: 1,
        host: "127.0.0.1",
        port,
        ops: { host: "127.0.0.1", port: 0 },
        preSignedUrlTimeoutSeconds: 3600,
        authorization: { bearerToken: token },
        s3: { endpoint: s3.endpoint, forcePathStyle: true, region: s3.region },
        shares: [
          { name: "s", schemas: [{ name: "d", tables: [{ name: "t", location: "s3://temporary/small" }] }] },
        ],
      }),
    );
    server = await startProcess({
      name: "sharing-server",
      command: process.execPath,
      args: [join(repoRoot, "server", "main.ts"), "--config", configPath],
      env: {
        PATH: process.env.PATH,
        AWS_ACCESS_KEY_ID: s3.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
        AWS_CREDENTIAL_EXPIRATION: credentialExpiry.toISOString(),
      },
      ready: async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok,
    });
  });

  after(async () => {
    await server?.stop();
    await s3?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test("the URL lifetime and expirationTimestamp follow the credentials' expiry", async () => {
    const response = await fetch(`${endpoint}/shares/s/schemas/d/tables/t/query`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(response.status, 200);
    const files = (await response.text())
      .split("\n")
      .filter((line) => line.includes('"file"'))
      .map((line) => JSON.parse(line).file as { url: string; expirationTimestamp: number });
    assert.ok(files.length > 0);
    for (const file of files) {
      assert.ok(
        file.expirationTimestamp <= credentialExpiry.getTime(),
        "reported expiry is after the credentials'",
      );
      assert.ok(
        file.expirationTimestamp >= credentialExpiry.getTime() - 5_000,
        "reported expiry is far too early",
      );
      const expires = Number(new URL(file.url).searchParams.get("X-Amz-Expires"));
      assert.ok(expires <= 120 && expires > 100, `X-Amz-Expires is ${expires}`);
      const read = await fetch(file.url, { headers: { range: "bytes=0-3" } });
      assert.equal(read.status, 206);
      await read.body?.cancel();
    }
  });
});
