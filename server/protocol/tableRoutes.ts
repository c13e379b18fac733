// Table version, table metadata, table query and table changes: glue from the routes to
// tableAnswers.ts and changeAnswers.ts, which decide what each request reads and stream it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { SharedTable } from "../shares/catalog.ts";
import { answerAsyncSubmission, asyncSubmission, registerQueryInfoRoute } from "./asyncQueries.ts";
import { answerChangeDataFeed } from "./changeAnswers.ts";
import { answerQuery } from "./queryAnswer.ts";
import {
  ChangesQuery,
  MetadataQuery,
  NoQuery,
  QueryBody,
  TableParams,
  VersionQuery,
} from "./requestSchemas.ts";
import { resolveSchema, resolveTable } from "./resolve.ts";
import { answerMetadata, checkQueryBody, tableVersion } from "./tableAnswers.ts";

/** The table a request names; in a whole-schema share, a table created since is looked for first. */
async function tableOf(request: FastifyRequest<{ Params: TableParams }>): Promise<SharedTable> {
  const { catalog, discovery } = request.ctx;
  const { params, identity } = request;
  const schema = resolveSchema(catalog, identity, params.share, params.schema);
  if (schema.discovery && !catalog.table(schema, params.table))
    await discovery.refreshForMissingTable(schema);
  return resolveTable(catalog, identity, params);
}

export function registerTableRoutes(app: FastifyInstance): void {
  const versionHandler = async (
    request: FastifyRequest<{ Params: TableParams; Querystring: VersionQuery }>,
    reply: FastifyReply,
  ) => {
    const table = await tableOf(request);
    const version = await tableVersion(request, table, request.query.startingTimestamp);
    reply.header("delta-table-version", String(version));
    return reply.code(200).send();
  };
  const versionRoute = { schema: { params: TableParams, querystring: VersionQuery } };
  app.get("/shares/:share/schemas/:schema/tables/:table/version", versionRoute, versionHandler);
  // the deprecated HEAD form; fastify would otherwise answer HEAD from a GET route
  app.head("/shares/:share/schemas/:schema/tables/:table", versionRoute, versionHandler);

  app.get<{ Params: TableParams; Querystring: MetadataQuery }>(
    "/shares/:share/schemas/:schema/tables/:table/metadata",
    { schema: { params: TableParams, querystring: MetadataQuery } },
    async (request, reply) => {
      return answerMetadata(request, reply, await tableOf(request), request.query);
    },
  );

  app.post<{ Params: TableParams; Body: QueryBody }>(
    "/shares/:share/schemas/:schema/tables/:table/query",
    { schema: { params: TableParams, querystring: NoQuery, body: QueryBody } },
    async (request, reply) => {
      const body = request.body ?? {};
      const table = await tableOf(request);
      checkQueryBody(body);
      if (asyncSubmission(request, body)) return answerAsyncSubmission(request, reply, table, body);
      return answerQuery(request, reply, table, body);
    },
  );

  app.get<{ Params: TableParams; Querystring: ChangesQuery }>(
    "/shares/:share/schemas/:schema/tables/:table/changes",
    { schema: { params: TableParams, querystring: ChangesQuery } },
    async (request, reply) => answerChangeDataFeed(request, reply, await tableOf(request), request.query),
  );

  registerQueryInfoRoute(app);
}
