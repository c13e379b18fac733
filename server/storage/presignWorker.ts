// The signing thread's side of workerPresign.ts: signs batches of URL paths with the SigV4 signer
// the request's options describe, MACs batches of token payloads under a key (local file URLs),
// each signer made once per distinct options or key, as the main thread makes it, or hashes
// batches of logged paths into their parquet-format file ids (MD5 hex).
import { hash } from "node:crypto";
import { parentPort } from "node:worker_threads";
import { type FixedKeyHmac, fixedKeyHmac } from "../crypto/fixedKeyHmac.ts";
import { createSigner, type PresignOptions } from "./sigv4Presign.ts";

/** Items go one per line: one string crosses threads as one copy, a list as many. */
export type SigningRequest =
  | { id: number; kind: "sigv4"; options: PresignOptions; encodedPaths: string }
  | { id: number; kind: "hmac"; key: Uint8Array; messages: string }
  | { id: number; kind: "md5"; paths: string };

export interface SigningAnswer {
  id: number;
  /** The signatures (SigV4 hex, or base64url MACs), of a fixed length each, in the order asked. */
  signatures: string;
}

const signers = new Map<string, (item: string) => string>();
/** Signers differ by credentials, expiry and signing time: few at a time, so a small cache. */
const maxSigners = 32;

function cached(key: string, make: () => (item: string) => string): (item: string) => string {
  let signer = signers.get(key);
  if (!signer) {
    if (signers.size >= maxSigners) signers.clear();
    signer = make();
    signers.set(key, signer);
  }
  return signer;
}

function sigv4Signer(options: PresignOptions): (encodedPath: string) => string {
  const { credentials, region, host, expiresInSeconds, signingDate, service } = options;
  const key = [
    "sigv4",
    credentials.accessKeyId,
    credentials.secretAccessKey,
    credentials.sessionToken ?? "",
    region,
    host,
    expiresInSeconds,
    signingDate.getTime(),
    service ?? "",
  ].join("\0");
  return cached(key, () => createSigner(options).signature);
}

function hmacSigner(key: Uint8Array): (message: string) => string {
  return cached(`hmac\0${Buffer.from(key).toString("hex")}`, () => {
    const hmac: FixedKeyHmac = fixedKeyHmac(Buffer.from(key));
    return (message) => hmac(message, "buffer").toString("base64url");
  });
}

const md5Hex = (path: string) => hash("md5", path, "hex");

function work(request: SigningRequest): [(item: string) => string, string] {
  if (request.kind === "sigv4") return [sigv4Signer(request.options), request.encodedPaths];
  if (request.kind === "hmac") return [hmacSigner(request.key), request.messages];
  return [md5Hex, request.paths];
}

parentPort?.on("message", (request: SigningRequest) => {
  const [sign, items] = work(request);
  const answer: SigningAnswer = { id: request.id, signatures: items.split("\n").map(sign).join("") };
  parentPort?.postMessage(answer);
});
