// Table version, table metadata and table query.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ServerContext } from "../context.ts";
import { parquetBlockers } from "../delta/parquetCompatibility.ts";
import type { Snapshot } from "../delta/snapshot.ts";
import { type SelectionReport, selectFiles } from "../selection/fileSelection.ts";
import { compileHints } from "../selection/hints.ts";
import type { SharedTable } from "../shares/catalog.ts";
import { latestSnapshot, requireHistory, snapshotAtVersion } from "../tables/tableSnapshot.ts";
import { type Capabilities, parseCapabilities, type ResponseFormat } from "./capabilities.ts";
import { invalidParameter, SharingError } from "./errors.ts";
import { ndjsonStream } from "./ndjson.ts";
import { fileLine, metadataLine, protocolLine } from "./parquetLines.ts";
import { MetadataQuery, QueryBody, TableParams, VersionQuery } from "./requestSchemas.ts";
import { resolveTable } from "./resolve.ts";

const ndjsonType = "application/x-ndjson; charset=utf-8";

function tableOf(request: FastifyRequest<{ Params: TableParams }>): SharedTable {
  return resolveTable(request.ctx.catalog, request.identity, request.params);
}

/** The response format for this snapshot, or the protocol's refusal when none the client accepts fits. */
function chooseFormat(snapshot: Snapshot, capabilities: Capabilities): ResponseFormat {
  const blockers = parquetBlockers(snapshot);
  if (capabilities.responseFormats.includes("parquet") && blockers.length === 0) return "parquet";
  if (blockers.length === 0) {
    throw new SharingError("unsupportedOperation", "this server answers in the parquet response format only");
  }
  throw new SharingError(
    "unsupportedOperation",
    `the table uses reader features the parquet response format cannot carry (${blockers.join(", ")}); ` +
      "it needs a client that accepts responseformat=delta",
  );
}

function answerHeaders(reply: FastifyReply, snapshot: Snapshot, format: ResponseFormat): void {
  reply.header("delta-table-version", String(snapshot.version));
  reply.header("delta-sharing-capabilities", `responseformat=${format}`);
}

async function snapshotFor(
  ctx: ServerContext,
  table: SharedTable,
  body: { version?: number; timestamp?: string },
) {
  if (body.timestamp !== undefined) {
    requireHistory(table, "reading a table at a timestamp");
    throw new SharingError("unsupportedOperation", "reading a table at a timestamp is not supported yet");
  }
  if (body.version !== undefined) return snapshotAtVersion(ctx, table, body.version);
  return latestSnapshot(ctx, table);
}

function baseUrl(request: FastifyRequest): string {
  const { config } = request.ctx;
  const origin = config.publicUrl ?? `${request.protocol}://${request.host}`;
  return `${origin.replace(/\/+$/, "")}${config.endpoint.replace(/\/+$/, "")}`;
}

export function registerTableRoutes(app: FastifyInstance): void {
  const versionHandler = async (
    request: FastifyRequest<{ Params: TableParams; Querystring: VersionQuery }>,
    reply: FastifyReply,
  ) => {
    const table = tableOf(request);
    if (request.query.startingTimestamp !== undefined) {
      requireHistory(table, "startingTimestamp");
      throw new SharingError("unsupportedOperation", "startingTimestamp is not supported yet");
    }
    const snapshot = await latestSnapshot(request.ctx, table);
    reply.header("delta-table-version", String(snapshot.version));
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
      const table = tableOf(request);
      if (request.query.version !== undefined && request.query.timestamp !== undefined) {
        throw invalidParameter("version and timestamp cannot both be given");
      }
      const snapshot = await snapshotFor(request.ctx, table, request.query);
      const format = chooseFormat(snapshot, parseCapabilities(request.headers["delta-sharing-capabilities"]));
      answerHeaders(reply, snapshot, format);
      const withVersion = request.query.version !== undefined || request.query.timestamp !== undefined;
      reply.type(ndjsonType);
      return reply.send(ndjsonStream([protocolLine(), metadataLine(snapshot, table, { withVersion })]));
    },
  );

  app.post<{ Params: TableParams; Body: QueryBody }>(
    "/shares/:share/schemas/:schema/tables/:table/query",
    { schema: { params: TableParams, body: QueryBody } },
    async (request, reply) => {
      const { ctx } = request;
      const body = request.body ?? {};
      const table = tableOf(request);
      checkQueryParameters(body);
      if (body.startingVersion !== undefined) {
        requireHistory(table, "startingVersion");
        throw new SharingError("unsupportedOperation", "startingVersion queries are not supported yet");
      }
      if (body.pageToken !== undefined || body.maxFiles !== undefined || body.refreshToken !== undefined) {
        throw new SharingError(
          "unsupportedOperation",
          "query pagination and refresh tokens are not supported yet",
        );
      }
      const snapshot = await snapshotFor(ctx, table, body);
      const format = chooseFormat(snapshot, parseCapabilities(request.headers["delta-sharing-capabilities"]));
      const hints = compileHints(body, snapshot, ctx.config);
      for (const problem of hints.problems) {
        request.log.info({ table: table.id, problem }, "predicate hint not used");
      }
      const signer = await ctx
        .storageOf(table)
        .urlSigner(ctx.config.preSignedUrlTimeoutSeconds, baseUrl(request));
      const withVersion = body.version !== undefined || body.timestamp !== undefined;
      const version = withVersion
        ? {
            version: snapshot.version,
            ...(snapshot.timestamp !== undefined ? { timestamp: snapshot.timestamp } : {}),
          }
        : undefined;
      const report: SelectionReport = { considered: 0, pruned: 0, returned: 0 };
      const files = selectFiles(
        snapshot.files.values(),
        {
          ...(hints.mightMatch ? { mightMatch: hints.mightMatch } : {}),
          ...(body.limitHint !== undefined ? { limitHint: body.limitHint } : {}),
        },
        report,
      );
      async function* lines() {
        yield protocolLine();
        yield metadataLine(snapshot, table, { withVersion });
        for (const file of files) {
          const url = await signer.sign(file.path);
          yield fileLine(file, { url, expiresAt: signer.expiresAt, ...(version ? { version } : {}) });
        }
        request.selection = report;
      }
      answerHeaders(reply, snapshot, format);
      reply.type(ndjsonType);
      return reply.send(ndjsonStream(lines()));
    },
  );

  app.get<{ Params: TableParams }>(
    "/shares/:share/schemas/:schema/tables/:table/changes",
    { schema: { params: TableParams } },
    async (request) => {
      const table = tableOf(request);
      requireHistory(table, "reading changes");
      throw new SharingError("unsupportedOperation", "reading changes is not supported yet");
    },
  );
}

function checkQueryParameters(body: QueryBody): void {
  const travel = [body.version, body.timestamp, body.startingVersion].filter((value) => value !== undefined);
  if (travel.length > 1) {
    throw invalidParameter("only one of version, timestamp and startingVersion may be given");
  }
  if (body.endingVersion !== undefined && body.startingVersion === undefined) {
    throw invalidParameter("endingVersion needs startingVersion");
  }
  if (
    body.endingVersion !== undefined &&
    body.startingVersion !== undefined &&
    body.endingVersion < body.startingVersion
  ) {
    throw invalidParameter("endingVersion must not be less than startingVersion");
  }
}
