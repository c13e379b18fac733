// Presigning cost per URL against its physical limit. The limit is the raw SigV4 chain for one
// URL written out with node:crypto: canonical request, its SHA-256, the string to sign, the four
// HMACs that derive the signing key, and the signature HMAC, each with the fastest call form
// (KeyObject keys: on Node 24 an HMAC keyed by a Buffer costs ~8x more). "Cached key" drops the
// four key HMACs, as a signer may keep the key for a day. "Ours" is the server's S3 signer per
// URL; "AWS SDK" is S3RequestPresigner per URL, which the server used before.
import { createHmac, createSecretKey, hash, type KeyObject } from "node:crypto";
import { S3Client } from "@aws-sdk/client-s3";
import { S3RequestPresigner } from "@aws-sdk/s3-request-presigner";
import { HttpRequest } from "@smithy/protocol-http";
import { S3TableStorage } from "../server/storage/s3Storage.ts";
import type { TableStorage } from "../server/storage/storage.ts";

export interface PresignResult {
  urls: number;
  rawChainNs: number;
  rawCachedKeyNs: number;
  oursNs: number;
  sdkNs: number;
}

const accessKeyId = "AKIDBENCHMARK";
const secretAccessKey = "benchmark/secret+key/0123456789abcdefghij";
const region = "us-east-1";
const host = "127.0.0.1:9000";

const hmac = (key: KeyObject | string, data: string): Buffer =>
  createHmac("sha256", key).update(data).digest();
const keyed = (key: KeyObject | string, data: string): KeyObject => createSecretKey(hmac(key, data));

function signingKey(day: string): KeyObject {
  return keyed(keyed(keyed(keyed(`AWS4${secretAccessKey}`, day), region), "s3"), "aws4_request");
}

function rawPresign(path: string, when: Date, cachedKey?: KeyObject): string {
  const amzDate = when
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${region}/s3/aws4_request`;
  const query =
    "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD" +
    `&X-Amz-Credential=${accessKeyId}%2F${day}%2F${region}%2Fs3%2Faws4_request` +
    `&X-Amz-Date=${amzDate}&X-Amz-Expires=3600&X-Amz-SignedHeaders=host`;
  const canonical = `GET\n${path}\n${query}\nhost:${host}\n\nhost\nUNSIGNED-PAYLOAD`;
  const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${hash("sha256", canonical, "hex")}`;
  const signature = createHmac("sha256", cachedKey ?? signingKey(day))
    .update(toSign)
    .digest("hex");
  return `http://${host}${path}?${query}&X-Amz-Signature=${signature}`;
}

/** The raw SigV4 chain with the day's signing key derived once: the floor's signer. */
export function cachedKeyPresigner(): (path: string) => string {
  const when = new Date();
  const key = signingKey(when.toISOString().slice(0, 10).replaceAll("-", ""));
  return (path) => rawPresign(path, when, key);
}

const pathOf = (i: number) => `/bench/t/part-${String(i).padStart(7, "0")}.parquet`;

async function nsPerUrl(urls: number, sign: (path: string) => unknown): Promise<number> {
  for (let i = 0; i < Math.min(urls, 2000); i++) await sign(pathOf(i));
  const start = process.hrtime.bigint();
  for (let i = 0; i < urls; i++) await sign(pathOf(i));
  return Number(process.hrtime.bigint() - start) / urls;
}

/** Interleaves the signers `rounds` times and keeps each one's best round (the least disturbed). */
export async function runPresignBenchmark(urls = 20_000, rounds = 3): Promise<PresignResult> {
  const when = new Date();
  const cachedKey = signingKey(when.toISOString().slice(0, 10).replaceAll("-", ""));
  const client = new S3Client({
    endpoint: `http://${host}`,
    region,
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
  });
  const storage: TableStorage = new S3TableStorage("s3://bench/t", client, "bench", "t");
  const signer = await storage.urlSigner(3600, "http://unused");
  const sdk = new S3RequestPresigner({ ...client.config });
  const [hostname, port] = host.split(":");
  const sdkSign = (path: string) =>
    sdk.presign(
      new HttpRequest({
        method: "GET",
        protocol: "http:",
        hostname,
        port: Number(port),
        path,
        headers: { host },
      }),
      { expiresIn: 3600, signingDate: when },
    );
  const prefix = "/bench/t/".length;
  const best = { rawChainNs: Infinity, rawCachedKeyNs: Infinity, oursNs: Infinity, sdkNs: Infinity };
  for (let round = 0; round < rounds; round++) {
    best.rawChainNs = Math.min(best.rawChainNs, await nsPerUrl(urls, (p) => rawPresign(p, when)));
    best.rawCachedKeyNs = Math.min(
      best.rawCachedKeyNs,
      await nsPerUrl(urls, (p) => rawPresign(p, when, cachedKey)),
    );
    best.oursNs = Math.min(best.oursNs, await nsPerUrl(urls, (p) => signer.sign(p.slice(prefix))));
    best.sdkNs = Math.min(best.sdkNs, await nsPerUrl(Math.ceil(urls / 10), sdkSign));
  }
  client.destroy();
  return { urls, ...best };
}
