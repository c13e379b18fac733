// SigV4 query-string presigning of S3 GETs, done directly with node:crypto. Everything but the
// path is fixed for one signer (date, scope, expiry, credentials), so the signing key and the
// canonical query string are computed once and each URL costs one SHA-256 and one HMAC. The AWS
// SDK's presigner re-derives much of that per URL and was ~20x slower (bench/README.md).
import { createHmac, hash } from "node:crypto";
import { fixedKeyHmac } from "../crypto/fixedKeyHmac.ts";

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
  const sign = fixedKeyHmac(hmac(hmac(hmac(dateKey, region), service), "aws4_request"));
  // the path is percent-encoded and everything else is ASCII, so latin1 and UTF-8 agree
  return {
    query,
    signature: (encodedPath) =>
      sign(signPrefix + hash("sha256", `GET\n${encodedPath}${requestTail}`, "hex"), "hex"),
  };
}

/** A function from an already URL-encoded path ("/bucket/key" or "/key") to its signed query string. */
export function createPresigner(options: PresignOptions): (encodedPath: string) => string {
  const { query, signature } = createSigner(options);
  return (encodedPath) => `${query}&X-Amz-Signature=${signature(encodedPath)}`;
}
