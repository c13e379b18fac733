// The signing thread's side of workerPresign.ts: signs batches of URL paths with the presigner the
// request's options describe (made once per distinct options, as the main thread makes it).
import { parentPort } from "node:worker_threads";
import { createPresigner, type PresignOptions } from "./sigv4Presign.ts";

export interface PresignRequest {
  id: number;
  options: PresignOptions;
  encodedPaths: string[];
}

const presigners = new Map<string, (encodedPath: string) => string>();
/** Signers differ by credentials, expiry and signing time: few at a time, so a small cache. */
const maxPresigners = 32;

function presignerFor(options: PresignOptions): (encodedPath: string) => string {
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
  let presign = presigners.get(key);
  if (!presign) {
    if (presigners.size >= maxPresigners) presigners.clear();
    presign = createPresigner(options);
    presigners.set(key, presign);
  }
  return presign;
}

parentPort?.on("message", (request: PresignRequest) => {
  const presign = presignerFor(request.options);
  parentPort?.postMessage({ id: request.id, queries: request.encodedPaths.map(presign) });
});
