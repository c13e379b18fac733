// The signing thread's side of workerPresign.ts: signs batches of URL paths with the signer the
// request's options describe (made once per distinct options, as the main thread makes it).
import { parentPort } from "node:worker_threads";
import { createSigner, type PresignOptions } from "./sigv4Presign.ts";

export interface PresignRequest {
  id: number;
  options: PresignOptions;
  /** The encoded paths, one per line: one string crosses threads as one copy, a list as many. */
  encodedPaths: string;
}

export interface PresignAnswer {
  id: number;
  /** The signatures, of signatureChars each, in the order of the paths. */
  signatures: string;
}

const signers = new Map<string, (encodedPath: string) => string>();
/** Signers differ by credentials, expiry and signing time: few at a time, so a small cache. */
const maxSigners = 32;

function signerFor(options: PresignOptions): (encodedPath: string) => string {
  const { credentials, region, host, expiresInSeconds, signingDate, service } = options;
  const key = [
    credentials.accessKeyId,
    credentials.secretAccessKey,
    credentials.sessionToken ?? "",
    region,
    host,
    expiresInSeconds,
    signingDate.getTime(),
    service ?? "",
  ].join("\0");
  let signature = signers.get(key);
  if (!signature) {
    if (signers.size >= maxSigners) signers.clear();
    signature = createSigner(options).signature;
    signers.set(key, signature);
  }
  return signature;
}

parentPort?.on("message", (request: PresignRequest) => {
  const signature = signerFor(request.options);
  const answer: PresignAnswer = {
    id: request.id,
    signatures: request.encodedPaths.split("\n").map(signature).join(""),
  };
  parentPort?.postMessage(answer);
});
