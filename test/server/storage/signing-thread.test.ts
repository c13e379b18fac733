// URLs signed in batches on the signing thread carry the very signatures the main thread computes
// (which sigv4Presign.test.ts checks against the AWS SDK), token MACs made there are createHmac's,
// tokens made many at once are the tokens made one by one, and the thread never keeps a process
// alive that has nothing else to do.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { SignedTokenCodec } from "../../../server/crypto/signedToken.ts";
import { encodeS3Key } from "../../../server/storage/s3Storage.ts";
import { createSigner, type PresignOptions, signatureChars } from "../../../server/storage/sigv4Presign.ts";
import {
  macOnWorker,
  md5OnWorker,
  prepareSigningThread,
  signOnWorker,
} from "../../../server/storage/workerPresign.ts";

const options: PresignOptions = {
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
  region: "eu-west-3",
  host: "127.0.0.1:9000",
  expiresInSeconds: 900,
  signingDate: new Date("2026-03-04T05:06:07.890Z"),
};

async function threadSignatures(opts: PresignOptions, paths: string[]): Promise<string> {
  prepareSigningThread();
  for (let attempt = 0; attempt < 200; attempt++) {
    const signed = await signOnWorker(opts, paths);
    if (signed !== undefined) return signed;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("the signing thread did not come up within 5 s");
}

describe("the signing thread", () => {
  test("signs every path of a batch as the main thread does, in order", async () => {
    const keys = Array.from({ length: 2500 }, (_, i) => `bucket/t/p=${i % 7}/part-${i}-é 中 😀+%.parquet`);
    const paths = keys.map((key) => `/${encodeS3Key(key)}`);
    const { signature } = createSigner(options);
    const signed = await threadSignatures(options, paths);
    assert.equal(signed.length, paths.length * signatureChars);
    paths.forEach((path, i) => {
      assert.equal(signed.slice(i * signatureChars, (i + 1) * signatureChars), signature(path), path);
    });
  });

  test("batches of different signers at once each get their own signer's signatures", async () => {
    const later = { ...options, signingDate: new Date("2026-03-04T06:00:00.000Z"), expiresInSeconds: 60 };
    const token = {
      ...options,
      credentials: { ...options.credentials, sessionToken: "FwoGZXIvYXdzEXAMPLE" },
    };
    const paths = ["/bucket/a.parquet", "/bucket/b.parquet"];
    await threadSignatures(options, paths);
    const answers = await Promise.all([options, later, token].map((opts) => signOnWorker(opts, paths)));
    [options, later, token].forEach((opts, i) => {
      const { signature } = createSigner(opts);
      assert.equal(answers[i], paths.map(signature).join(""));
    });
  });

  test("MACs a batch of messages under a key as createHmac does", async () => {
    await threadSignatures(options, ["/bucket/a"]);
    const key = randomBytes(32);
    const messages = Array.from({ length: 1500 }, (_, i) => `file-url\0payload-${i}-é中`);
    const macs = await macOnWorker(key, messages);
    assert.equal(
      macs,
      messages.map((message) => createHmac("sha256", key).update(message).digest("base64url")).join(""),
    );
    assert.equal(await macOnWorker(key, []), "");
  });

  test("hashes a batch of logged paths into their parquet file ids as node:crypto does", async () => {
    await threadSignatures(options, ["/bucket/a"]);
    const paths = Array.from({ length: 1500 }, (_, i) => `x=A%252FA/part-${i}-é中 😀.snappy.parquet`);
    assert.equal(
      await md5OnWorker(paths),
      paths.map((path) => createHash("md5").update(path).digest("hex")).join(""),
    );
    assert.equal(await md5OnWorker([]), "");
  });

  test("tokens made many at once equal tokens made one by one, however the MACs come", async () => {
    await threadSignatures(options, ["/bucket/a"]);
    const codec = new SignedTokenCodec(randomBytes(32), "file-url");
    const values = Array.from({ length: 300 }, (_, i) => [
      "table",
      `part-${i}.parquet`,
      1_700_000_000_000 + i,
      0,
    ]);
    const one = values.map((value) => codec.encode(value));
    assert.deepEqual(await codec.encodeMany(values, macOnWorker), one);
    assert.deepEqual(await codec.encodeMany(values, () => undefined), one);
    assert.deepEqual(await codec.encodeMany(values, async () => "too short"), one);
    for (const token of one.slice(0, 3)) assert.deepEqual(codec.decode(token), values[one.indexOf(token)]);
  });

  test("a path holding a line break is left to the caller", async () => {
    await threadSignatures(options, ["/bucket/a"]);
    assert.equal(signOnWorker(options, ["/bucket/a", "/bucket/b\nc"]), undefined);
  });

  test("an idle thread does not keep its process from ending", () => {
    const script = `import { prepareSigningThread } from ${JSON.stringify(new URL("../../../server/storage/workerPresign.ts", import.meta.url).href)};
prepareSigningThread();
setTimeout(() => console.log("done"), 300);`;
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      timeout: 20_000,
      encoding: "utf8",
    });
    assert.equal(child.signal, null, "the process was killed: it did not end by itself");
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout.trim(), "done");
  });
});
