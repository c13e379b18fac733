// Asynchronous queries (PROTOCOL.md "asyncQuery", "Example for asynchronous query", "Get Query
// Info"). A query submitted with `asyncquery=true` and an idempotency key is checked and pinned to
// a table version at once, and answered with one `queryStatus` line carrying its id (see
// asyncQueryId.ts). A poll reads the pinned version and answers exactly what the synchronous query
// answered then, paged like /query. Nothing runs between the two, so the status is never `failed`:
// a query that cannot be answered is refused with the protocol's JSON error, at submission where
// possible, otherwise at the poll.
//
// A submission without an idempotency key is served synchronously, as the protocol lets a server
// do: the key is what makes a retry the same query, and the Scala client sends none on the paths
// (streaming without paging) that cannot read a queryStatus line.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { SharedTable } from "../shares/catalog.ts";
import { capabilitiesOf, ndjsonType } from "./answerSupport.ts";
import { type AsyncQuery, decodeQueryId, encodeQueryId, maxQueryIdLength } from "./asyncQueryId.ts";
import { planStreamingQuery } from "./changeAnswers.ts";
import { invalidParameter } from "./errors.ts";
import { echoFileIdScheme, requestedFileIdScheme } from "./fileIdHash.ts";
import { answerQuery } from "./queryAnswer.ts";
import { type QueryBody, QueryInfoBody, QueryInfoParams } from "./requestSchemas.ts";
import { resolveTable } from "./resolve.ts";
import { checkQueryBody, snapshotForQuery } from "./tableAnswers.ts";

function idempotencyKeyOf(body: QueryBody): string | undefined {
  const { idempotencyKey, idempotency_key: snakeKey } = body;
  if (idempotencyKey !== undefined && snakeKey !== undefined && idempotencyKey !== snakeKey) {
    throw invalidParameter("idempotencyKey and idempotency_key differ; send one of them");
  }
  return idempotencyKey ?? snakeKey;
}

/** Whether a /query request is an asynchronous submission. */
export function asyncSubmission(request: FastifyRequest, body: QueryBody): boolean {
  return capabilitiesOf(request).asyncQuery && idempotencyKeyOf(body) !== undefined;
}

/** The version and format a submission pins, and the version its answer's header will name. */
async function pin(request: FastifyRequest, table: SharedTable, body: QueryBody) {
  if (body.startingVersion !== undefined) {
    const plan = await planStreamingQuery(request, table, { ...body, startingVersion: body.startingVersion });
    return { version: plan.latest.version, format: plan.format, answerVersion: plan.from };
  }
  const chosen = await snapshotForQuery(request, table, body);
  const version = chosen.snapshot.version;
  return { version, format: chosen.format, answerVersion: version };
}

export async function answerAsyncSubmission(
  request: FastifyRequest,
  reply: FastifyReply,
  table: SharedTable,
  body: QueryBody,
): Promise<FastifyReply> {
  const { ctx } = request;
  const key = idempotencyKeyOf(body) as string;
  if (body.pageToken !== undefined) {
    throw invalidParameter(
      "a page token continues an asynchronous query: send it to Get Query Info (POST .../queries/{queryId})",
    );
  }
  const fileIdScheme = requestedFileIdScheme(request);
  const pinned = await pin(request, table, body);
  const query: AsyncQuery = {
    recipient: request.identity.recipient,
    tableId: table.id,
    body,
    version: pinned.version,
    format: pinned.format,
    ...(fileIdScheme !== undefined ? { fileIdScheme } : {}),
  };
  const queryId = encodeQueryId(ctx.asyncQueries, query, key, ctx.config.asyncQueryTtlMs);
  // a query too large to carry in a URL is answered at once, as a server without the capability would
  if (queryId.length > maxQueryIdLength) return answerQuery(request, reply, table, body);
  reply.header("delta-table-version", String(pinned.answerVersion));
  reply.header("delta-sharing-capabilities", `responseformat=${pinned.format};asyncquery=true`);
  echoFileIdScheme(reply, fileIdScheme);
  reply.type(ndjsonType);
  return reply.send(`${JSON.stringify({ queryStatus: { queryId, status: "pending" } })}\n`);
}

/** POST .../queries/{queryId}: the answer of an asynchronous query, or a page of it. */
export function registerQueryInfoRoute(app: FastifyInstance): void {
  app.post<{ Params: QueryInfoParams; Body: QueryInfoBody }>(
    "/shares/:share/schemas/:schema/tables/:table/queries/:queryId",
    { schema: { params: QueryInfoParams, body: QueryInfoBody } },
    async (request, reply) => {
      const { ctx, params } = request;
      const table = resolveTable(ctx.catalog, request.identity, params);
      const poll = request.body ?? {};
      if (poll.queryId !== undefined && poll.queryId !== params.queryId) {
        throw invalidParameter("the queryId in the body is not the one in the URL");
      }
      const query = decodeQueryId(ctx.asyncQueries, params.queryId, {
        recipient: request.identity.recipient,
        tableId: table.id,
      });
      const body: QueryBody = {
        ...query.body,
        ...(poll.maxFiles !== undefined ? { maxFiles: poll.maxFiles } : {}),
        ...(poll.pageToken !== undefined ? { pageToken: poll.pageToken } : {}),
      };
      checkQueryBody(body);
      return answerQuery(request, reply, table, body, {
        version: query.version,
        format: query.format,
        fileIdScheme: query.fileIdScheme,
      });
    },
  );
}
