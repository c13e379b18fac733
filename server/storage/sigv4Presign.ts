// SigV4 query-string presigning of S3 GETs, done directly with node:crypto. Everything but the
// path is fixed for one signer (date, scope, expiry, credentials), so the signing key and the
// canonical query string are computed once and each URL costs one SHA-256 and one HMAC. The AWS
// SDK's presigner re-derives much of that per URL and was ~20x slower (bench/README.md).
import { createHmac, hash } from "node:crypto";

export interface PresignCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface PresignOptions {
  credentials: PresignCredentials;
  region: string;
  /** The Host header the URL will be fetched with (host[:port]). */
  host: string;
  expiresInSeconds: number;
  signingDate: Date;
  service?: string;
}

/** RFC 3986 encoding, as SigV4 wants it for query names and values. */
function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

const sha256Block = 64;

/** The longest message fixedKeyHmacHex signs without allocating (string-to-sign is ~150 bytes). */
const scratchMessage = 512;

/** HMAC-SHA256 of ASCII messages under a fixed key, as two one-shot SHA-256 (RFC 2104): each
 * createHmac pays a digest set-up that costs as much as both hashes together on Node 24. The
 * padded key blocks stay in two scratch buffers the message and the inner hash are written after. */
function fixedKeyHmacHex(key: Buffer): (message: string) => string {
  const inner = Buffer.alloc(sha256Block + scratchMessage, 0x36);
  const outer = Buffer.alloc(sha256Block + 32, 0x5c);
  for (let i = 0; i < key.length; i++) {
    inner[i] = (inner[i] as number) ^ (key[i] as number);
    outer[i] = (outer[i] as number) ^ (key[i] as number);
  }
  const innerPad = inner.toString("latin1", 0, sha256Block);
  return (message) => {
    const innerInput =
      message.length <= scratchMessage
        ? inner.subarray(0, sha256Block + inner.write(message, sha256Block, "latin1"))
        : Buffer.from(innerPad + message, "latin1");
    outer.set(hash("sha256", innerInput, "buffer"), sha256Block);
    return hash("sha256", outer, "hex");
  };
}

/** The length of a signature: SHA-256 as hex. */
export const signatureChars = 64;

export interface Signer {
  /** The query string every URL of this signer carries, before its signature. */
  query: string;
  /** The signature of an already URL-encoded path ("/bucket/key" or "/key"). */
  signature: (encodedPath: string) => string;
}

export function createSigner(options: PresignOptions): Signer {
  const service = options.service ?? "s3";
  const { credentials, region, host } = options;
  const amzDate = options.signingDate
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${region}/${service}/aws4_request`;
  const params: [string, string][] = [
    ["X-Amz-Algorithm", "AWS4-HMAC-SHA256"],
    ["X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD"],
    ["X-Amz-Credential", `${credentials.accessKeyId}/${scope}`],
    ["X-Amz-Date", amzDate],
    ["X-Amz-Expires", String(options.expiresInSeconds)],
    ...(credentials.sessionToken
      ? [["X-Amz-Security-Token", credentials.sessionToken] as [string, string]]
      : []),
    ["X-Amz-SignedHeaders", "host"],
  ];
  params.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = params.map(([name, value]) => `${encodeRfc3986(name)}=${encodeRfc3986(value)}`).join("&");
  const requestTail = `\n${query}\nhost:${host.trim()}\n\nhost\nUNSIGNED-PAYLOAD`;
  const signPrefix = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n`;
  const dateKey = hmac(`AWS4${credentials.secretAccessKey}`, day);
  // 32 bytes, under the block size, so it is used as it is
  const sign = fixedKeyHmacHex(hmac(hmac(hmac(dateKey, region), service), "aws4_request"));
  // the path is percent-encoded and everything else is ASCII, so latin1 and UTF-8 agree
  return {
    query,
    signature: (encodedPath) => sign(signPrefix + hash("sha256", `GET\n${encodedPath}${requestTail}`, "hex")),
  };
}

/** A function from an already URL-encoded path ("/bucket/key" or "/key") to its signed query string. */
export function createPresigner(options: PresignOptions): (encodedPath: string) => string {
  const { query, signature } = createSigner(options);
  return (encodedPath) => `${query}&X-Amz-Signature=${signature(encodedPath)}`;
}
