// What every table answer shares: the capabilities the client sent, URL signing for the table's
// files, token scopes, and sending streamed NDJSON with its protocol headers.
import type { FastifyReply, FastifyRequest } from "fastify";
import { type SharedTable, tableLabel } from "../shares/catalog.ts";
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

/**
 * Signs the files of one answer (their ids follow the scheme the client chose, else the answer's
 * format), handing out URLs signed earlier while enough of their lifetime remains.
 */
export function fileSigner(request: FastifyRequest, table: SharedTable, idScheme: FileIdScheme): FileSigner {
  const { ctx } = request;
  const files = ctx.filesOf(table);
  const base = baseUrl(request);
  const lifetimeSeconds = ctx.config.preSignedUrlTimeoutSeconds;
  const signer = files.signer(lifetimeSeconds, base);
  const reuse = ctx.urlReuse.scope(
    `${table.id}\0${table.location}\0${base}\0${lifetimeSeconds}`,
    lifetimeSeconds * 1000,
  );
  return new FileSigner(table, files, signer, idScheme, reuse);
}

/** Signs every URL now: what a client refreshing its URLs asks for. */
export function freshFileSigner(
  request: FastifyRequest,
  table: SharedTable,
  idScheme: FileIdScheme,
): FileSigner {
  const { ctx } = request;
  const files = ctx.filesOf(table);
  return new FileSigner(
    table,
    files,
    files.signer(ctx.config.preSignedUrlTimeoutSeconds, baseUrl(request)),
    idScheme,
  );
}

/**
 * What one streamed answer holds at most: the lines computed ahead before it starts, a batch of
 * file lines, and the stream's buffer, each counted twice for the strings they pass through.
 */
export const answerBytes = 2 * 1024 * 1024;

export async function send(
  request: FastifyRequest,
  reply: FastifyReply,
  answer: {
    table: SharedTable;
    version: number;
    format: ResponseFormat;
    endStreamAction: boolean;
    lines: AsyncIterable<unknown>;
    /** The file id scheme the client named (fileidhash), echoed back. */
    fileIdScheme?: FileIdScheme | undefined;
  },
): Promise<FastifyReply> {
  const { budget } = request.ctx.snapshots;
  const label = tableLabel(answer.table);
  const held = budget.reserve(`an answer from table ${label}`, answerBytes, label);
  try {
    const lines = await startLines(answer.lines, {
      endStreamAction: answer.endStreamAction,
      log: request.log,
    });
    reply.header("delta-table-version", String(answer.version));
    reply.header("delta-sharing-capabilities", capabilitiesHeader(answer.format, answer.endStreamAction));
    echoFileIdScheme(reply, answer.fileIdScheme);
    reply.type(ndjsonType);
    const stream = ndjsonStream(lines);
    stream.once("close", () => held.release());
    return reply.send(stream);
  } catch (error) {
    held.release();
    throw error;
  }
}

export function scopeOf(
  request: FastifyRequest,
  table: SharedTable,
  parameters: Record<string, unknown>,
): TokenScope {
  return { recipient: request.identity.recipient, tableId: table.id, parameters: parametersHash(parameters) };
}
