// What every table answer shares: the capabilities the client sent, URL signing for the table's
// files, token scopes, and sending streamed NDJSON with its protocol headers.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { SharedTable } from "../shares/catalog.ts";
import { type Capabilities, parseCapabilities, type ResponseFormat } from "./capabilities.ts";
import { echoFileIdScheme } from "./fileIdHash.ts";
import type { FileIdScheme } from "./fileIds.ts";
import { FileSigner } from "./fileSigning.ts";
import { ndjsonStream } from "./ndjson.ts";
import { parametersHash, type TokenScope } from "./queryPageToken.ts";
import { capabilitiesHeader } from "./responseFormat.ts";
import { startLines } from "./streamStart.ts";

export const ndjsonType = "application/x-ndjson; charset=utf-8";

export const capabilitiesOf = (request: FastifyRequest): Capabilities =>
  parseCapabilities(request.headers["delta-sharing-capabilities"]);

/** Where this server listens, for file URLs when no publicUrl is set: never the request's Host header. */
function listeningOrigin(request: FastifyRequest): string {
  const address = request.server.server.address();
  const scheme = request.ctx.config.ssl ? "https" : "http";
  if (address === null || typeof address === "string") return `${scheme}://${request.ctx.config.host}`;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return `${scheme}://${host}:${address.port}`;
}

function baseUrl(request: FastifyRequest): string {
  const { config } = request.ctx;
  const origin = config.publicUrl ?? listeningOrigin(request);
  return `${origin.replace(/\/+$/, "")}${config.endpoint.replace(/\/+$/, "")}`;
}

/** Signs the files of one answer; their ids follow the scheme the client chose, else the answer's format. */
export function fileSigner(request: FastifyRequest, table: SharedTable, idScheme: FileIdScheme): FileSigner {
  const { ctx } = request;
  const files = ctx.filesOf(table);
  const signer = files.signer(ctx.config.preSignedUrlTimeoutSeconds, baseUrl(request));
  return new FileSigner(table, files, signer, idScheme);
}

export async function send(
  request: FastifyRequest,
  reply: FastifyReply,
  answer: {
    version: number;
    format: ResponseFormat;
    endStreamAction: boolean;
    lines: AsyncIterable<unknown>;
    /** The file id scheme the client named (fileidhash), echoed back. */
    fileIdScheme?: FileIdScheme | undefined;
  },
): Promise<FastifyReply> {
  const lines = await startLines(answer.lines, { endStreamAction: answer.endStreamAction, log: request.log });
  reply.header("delta-table-version", String(answer.version));
  reply.header("delta-sharing-capabilities", capabilitiesHeader(answer.format, answer.endStreamAction));
  echoFileIdScheme(reply, answer.fileIdScheme);
  reply.type(ndjsonType);
  return reply.send(ndjsonStream(lines));
}

export function scopeOf(
  request: FastifyRequest,
  table: SharedTable,
  parameters: Record<string, unknown>,
): TokenScope {
  return { recipient: request.identity.recipient, tableId: table.id, parameters: parametersHash(parameters) };
}
