// The `fileidhash` request header (PROTOCOL.md "File ID Hash Header"): the client names the scheme
// file ids follow, `parquet` or `delta`, case-insensitively; the answer echoes it in lowercase. Any
// other value is refused with 400 before anything is read.
import type { FastifyReply, FastifyRequest } from "fastify";
import { invalidParameter } from "./errors.ts";
import type { FileIdScheme } from "./fileIds.ts";

export const fileIdHashHeader = "fileidhash";

export function isFileIdScheme(value: unknown): value is FileIdScheme {
  return value === "parquet" || value === "delta";
}

/** The scheme the request names, `undefined` when it sends no header. */
export function requestedFileIdScheme(request: FastifyRequest): FileIdScheme | undefined {
  const raw = request.headers[fileIdHashHeader];
  if (raw === undefined) return undefined;
  const value = (Array.isArray(raw) ? raw.join(",") : raw).trim().toLowerCase();
  if (!isFileIdScheme(value)) {
    throw invalidParameter(`unsupported fileidhash '${String(raw).slice(0, 64)}'; supported: parquet, delta`);
  }
  return value;
}

export function echoFileIdScheme(reply: FastifyReply, scheme: FileIdScheme | undefined): void {
  if (scheme !== undefined) reply.header(fileIdHashHeader, scheme);
}
