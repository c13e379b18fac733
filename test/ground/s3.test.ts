// The S3 of the test ground must check what real S3 checks, or tests of presigned URLs prove nothing.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { type S3Ground, startS3 } from "./s3.ts";

const bucket = "ground";
const key = "tables/t1/part-0.txt";
const body = "0123456789abcdefghij";

async function errorCode(response: Response): Promise<string> {
  const text = await response.text();
  return /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? `no error code in: ${text.slice(0, 200)}`;
}

function presignGet(s3: S3Ground, options: { expiresIn: number; signingDate?: Date; client?: S3Client }) {
  return getSignedUrl(options.client ?? s3.client, new GetObjectCommand({ Bucket: bucket, Key: key }), {
    expiresIn: options.expiresIn,
    ...(options.signingDate ? { signingDate: options.signingDate } : {}),
  });
}

describe("S3 test ground", () => {
  let s3: S3Ground;

  before(async (t) => {
    const started = Date.now();
    s3 = await startS3();
    t.diagnostic(`s3proxy ready in ${Date.now() - started} ms`);
    await s3.createBucket(bucket);
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  });

  after(async () => {
    await s3?.stop();
  });

  test("a valid presigned GET with a Range header returns the requested bytes", async () => {
    const url = await presignGet(s3, { expiresIn: 300 });
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/ground\/tables\/t1\/part-0\.txt\?/);
    const response = await fetch(url, { headers: { Range: "bytes=2-5" } });
    assert.equal(response.status, 206);
    assert.equal(response.headers.get("content-range"), `bytes 2-5/${body.length}`);
    assert.equal(await response.text(), "2345");
  });

  test("a presigned GET without a Range header returns the whole object", async () => {
    const response = await fetch(await presignGet(s3, { expiresIn: 300 }));
    assert.equal(response.status, 200);
    assert.equal(await response.text(), body);
  });

  test("a presigned URL with a tampered signature is refused", async () => {
    const url = new URL(await presignGet(s3, { expiresIn: 300 }));
    const signature = url.searchParams.get("X-Amz-Signature") ?? "";
    assert.equal(signature.length, 64);
    const flipped = (signature[0] === "0" ? "1" : "0") + signature.slice(1);
    url.searchParams.set("X-Amz-Signature", flipped);
    const response = await fetch(url);
    assert.equal(response.status, 403);
    assert.equal(await errorCode(response), "SignatureDoesNotMatch");
  });

  test("a presigned URL whose expiry was lengthened after signing is refused", async () => {
    const url = new URL(await presignGet(s3, { expiresIn: 60 }));
    url.searchParams.set("X-Amz-Expires", "3600");
    const response = await fetch(url);
    assert.equal(response.status, 403);
    assert.equal(await errorCode(response), "SignatureDoesNotMatch");
  });

  test("a presigned URL for one key does not open another", async () => {
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "secret.txt", Body: "no" }));
    const url = new URL(await presignGet(s3, { expiresIn: 300 }));
    url.pathname = `/${bucket}/secret.txt`;
    const response = await fetch(url);
    assert.equal(response.status, 403);
    await response.body?.cancel();
  });

  test("a presigned URL signed with the wrong secret is refused", async () => {
    const impostor = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: `${s3.secretAccessKey}x` },
    });
    const response = await fetch(await presignGet(s3, { expiresIn: 300, client: impostor }));
    impostor.destroy();
    assert.equal(response.status, 403);
    assert.equal(await errorCode(response), "SignatureDoesNotMatch");
  });

  test("an expired presigned URL is refused while the same URL within its window works", async () => {
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
    const expired = await fetch(await presignGet(s3, { expiresIn: 300, signingDate: tenMinutesAgo }));
    assert.equal(expired.status, 403);
    assert.equal(await errorCode(expired), "AccessDenied");

    const stillValid = await fetch(await presignGet(s3, { expiresIn: 3600, signingDate: tenMinutesAgo }));
    assert.equal(stillValid.status, 200);
    assert.equal(await stillValid.text(), body);
  });

  test("a presigned URL stops working once its expiry passes", async () => {
    const url = await presignGet(s3, { expiresIn: 2 });
    const fresh = await fetch(url);
    assert.equal(fresh.status, 200);
    await fresh.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const late = await fetch(url);
    assert.equal(late.status, 403);
    assert.equal(await errorCode(late), "AccessDenied");
  });

  test("like AWS, a key with '=' opens whether the client sends it as %3D or raw, and only with its signature", async () => {
    const partitioned = "partitioned/day=2024-01-01/part-0.txt";
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: partitioned, Body: body }));
    const url = await getSignedUrl(s3.client, new GetObjectCommand({ Bucket: bucket, Key: partitioned }), {
      expiresIn: 300,
    });
    assert.match(url, /day%3D2024-01-01/);
    for (const variant of [url, url.replace("day%3D", "day=")]) {
      const response = await fetch(variant);
      assert.equal(response.status, 200, variant);
      assert.equal(await response.text(), body);
    }
    const tampered = url.replace("day%3D2024-01-01", "day%3D2024-01-02");
    const refused = await fetch(tampered);
    assert.equal(refused.status, 403);
    await refused.body?.cancel();
  });

  test("unsigned requests are refused", async () => {
    const get = await fetch(`${s3.endpoint}/${bucket}/${key}`);
    assert.equal(get.status, 403);
    await get.body?.cancel();
    const list = await fetch(`${s3.endpoint}/${bucket}?list-type=2`);
    assert.equal(list.status, 403);
    await list.body?.cancel();
    const put = await fetch(`${s3.endpoint}/${bucket}/unsigned.txt`, { method: "PUT", body: "x" });
    assert.equal(put.status, 403);
    await put.body?.cancel();
  });

  test("header-signed SDK calls put, get (with a range) and list objects", async () => {
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "sdk/a.txt", Body: "alpha" }));
    const whole = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: "sdk/a.txt" }));
    assert.equal(await whole.Body?.transformToString(), "alpha");
    const part = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: "bytes=10-" }));
    assert.equal(await part.Body?.transformToString(), "abcdefghij");
    assert.equal(part.ContentRange, `bytes 10-19/${body.length}`);
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "sdk/" }));
    assert.deepEqual(
      listed.Contents?.map((object) => object.Key),
      ["sdk/a.txt"],
    );
  });

  test("uploadDirectory puts a nested folder under a prefix", async () => {
    const dir = await mkdtemp(join(tmpdir(), "dso-s3-upload-"));
    try {
      await mkdir(join(dir, "_delta_log"));
      await writeFile(join(dir, "_delta_log", "00000000000000000000.json"), "{}\n");
      await writeFile(join(dir, "part-00000.parquet"), Buffer.from([0x50, 0x41, 0x52, 0x31]));
      const keys = await s3.uploadDirectory(dir, bucket, "shares/table/");
      assert.deepEqual(keys, [
        "shares/table/_delta_log/00000000000000000000.json",
        "shares/table/part-00000.parquet",
      ]);
      const listed = await s3.client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: "shares/table/" }),
      );
      assert.deepEqual(listed.Contents?.map((object) => object.Key).sort(), keys);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("restart keeps the port, the keys and the data", async () => {
    const url = await presignGet(s3, { expiresIn: 300 });
    await s3.restart();
    const response = await fetch(url);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), body);
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "tables/" }));
    assert.deepEqual(
      listed.Contents?.map((object) => object.Key),
      [key],
    );
  });
});
