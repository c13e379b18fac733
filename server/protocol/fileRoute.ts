// Serves the data files of tables on local disk, the way S3 serves presigned URLs: the signed token
// travels in the query string (`?sp=r&sig=…`, shaped like a SAS URL so readers such as delta-kernel
// recognise a presigned URL and fetch it over HTTP as it is) and is the only credential, checked
// for authenticity and expiry on every GET and HEAD, with byte ranges for Parquet readers. Only the
// data and deletion-vector files a table's log names are ever signed; the route still refuses, as
// forbidden, a token naming anything outside the table's folder (after resolving symlinks) or in a
// `_delta_log`, should a broken or hostile log have named one.
import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { join, sep } from "node:path";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { logDir } from "../delta/logFiles.ts";
import { fileUrlName, LocalTableStorage } from "../storage/localStorage.ts";
import { checkedKey } from "../storage/loggedPath.ts";
import { SharingError } from "./errors.ts";
import { FileQuery } from "./requestSchemas.ts";

interface FileParams {
  name: string;
}

interface Answer {
  file: string;
  start: number;
  end: number;
}

const denied = () => new SharingError("forbidden", "the file URL is not valid or has expired");
const missing = () => new SharingError("notFound", "the file does not exist");

/** The real file a signed path names, refused unless it is a table file inside the table's folder. */
async function servedFile(storage: LocalTableStorage, path: string): Promise<string> {
  let relative: string;
  try {
    relative = checkedKey(path);
  } catch {
    throw denied();
  }
  if (relative.split("/").includes(logDir)) throw denied();
  const root = await realpath(storage.rootDirectory).catch(() => undefined);
  const file = await realpath(join(storage.rootDirectory, relative)).catch(() => undefined);
  if (root === undefined || file === undefined) throw missing();
  if (!file.startsWith(root.endsWith(sep) ? root : `${root}${sep}`)) throw denied();
  return file;
}

type Range = { start: number; end: number } | "invalid" | undefined;

function parseRange(header: string | undefined, size: number): Range {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return "invalid";
  const [, from = "", to = ""] = match;
  if (from === "" && to === "") return "invalid";
  if (from === "") {
    const suffix = Math.min(Number(to), size);
    return suffix === 0 ? "invalid" : { start: size - suffix, end: size - 1 };
  }
  const start = Number(from);
  const end = to === "" ? size - 1 : Math.min(Number(to), size - 1);
  if (start >= size || end < start) return "invalid";
  return { start, end };
}

/** Checks the token and sets the headers; `undefined` when the answer is already complete. */
async function prepare(
  request: FastifyRequest<{ Params: FileParams; Querystring: FileQuery }>,
  reply: FastifyReply,
): Promise<Answer | undefined> {
  const { ctx } = request;
  const claims = ctx.fileUrls.decode(request.query.sig);
  if (!claims || claims.expiresAt < Date.now()) throw denied();
  const table = ctx.catalog.tableById(claims.tableId);
  const storage = table ? ctx.filesOf(table).storageAt(claims.root) : undefined;
  if (!(storage instanceof LocalTableStorage)) throw denied();
  // the name is cosmetic (readers like a file name), but only the one it was signed with is served
  if (request.params.name !== fileUrlName(claims.path)) throw denied();
  const file = await servedFile(storage, claims.path);
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw missing();
  reply.header("accept-ranges", "bytes").header("content-type", "application/octet-stream");
  reply.header("last-modified", info.mtime.toUTCString()).header("cache-control", "private, max-age=0");
  const range = typeof request.headers.range === "string" ? request.headers.range : undefined;
  const wanted = parseRange(range, info.size);
  if (wanted === "invalid") {
    reply.code(416).header("content-range", `bytes */${info.size}`).send();
    return undefined;
  }
  const { start, end } = wanted ?? { start: 0, end: info.size - 1 };
  reply.header("content-length", String(info.size === 0 ? 0 : end - start + 1));
  if (wanted) reply.code(206).header("content-range", `bytes ${start}-${end}/${info.size}`);
  return { file, start, end };
}

export function registerFileRoute(app: FastifyInstance): void {
  const schema = { querystring: FileQuery };
  app.get<{ Params: FileParams; Querystring: FileQuery }>(
    "/files/:name",
    { schema },
    async (request, reply) => {
      const answer = await prepare(request, reply);
      if (!answer) return reply;
      if (answer.end < answer.start) return reply.send();
      return reply.send(createReadStream(answer.file, { start: answer.start, end: answer.end }));
    },
  );
  app.head<{ Params: FileParams; Querystring: FileQuery }>(
    "/files/:name",
    { schema },
    async (request, reply) => {
      const answer = await prepare(request, reply);
      return answer ? reply.send() : reply;
    },
  );
}
