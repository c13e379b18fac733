// Version, metadata and snapshot queries: which snapshot a request reads (the newest, at a version
// or timestamp, or pinned by a page or refresh token), in which format, and its streamed lines.
// Errors follow the protocol: 400 INVALID_PARAMETER_VALUE for versions and timestamps that are not
// shared or do not exist and for tokens that are not valid for the request.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { AddFile } from "../delta/actions.ts";
import { commitTimestampOf, inCommitTimestampsOf } from "../delta/history.ts";
import { parquetBlockers } from "../delta/parquetCompatibility.ts";
import type { Snapshot } from "../delta/snapshot.ts";
import type { SelectionReport } from "../selection/fileSelection.ts";
import type { SharedTable } from "../shares/catalog.ts";
import {
  latestSnapshot,
  pinnedSnapshot,
  snapshotAtTimestamp,
  snapshotAtVersion,
  versionAtTimestamp,
} from "../tables/tableSnapshot.ts";
import { tableAccess } from "./accessModes.ts";
import { capabilitiesOf, fileSigner, freshFileSigner, ndjsonType, scopeOf, send } from "./answerSupport.ts";
import type { ResponseFormat } from "./capabilities.ts";
import { deltaMetadataLine, deltaProtocolLine } from "./deltaLines.ts";
import { invalidParameter } from "./errors.ts";
import { requestedFileIdScheme } from "./fileIdHash.ts";
import type { FileIdScheme } from "./fileIds.ts";
import { ndjsonStream } from "./ndjson.ts";
import { metadataLine, protocolLine } from "./parquetLines.ts";
import {
  decodePageToken,
  decodeRefreshToken,
  encodePageToken,
  encodeRefreshToken,
  type SnapshotPage,
  type TokenScope,
} from "./queryPageToken.ts";
import { recipientSlice } from "./recipientSlice.ts";
import type { QueryBody } from "./requestSchemas.ts";
import { capabilitiesHeader, chooseResponseFormat } from "./responseFormat.ts";
import { snapshotQueryLines } from "./snapshotQuery.ts";

// ---- version and metadata ----

/** The version a GET .../version answers: the newest, or the first at or after startingTimestamp. */
export async function tableVersion(
  request: FastifyRequest,
  table: SharedTable,
  startingTimestamp: string | undefined,
): Promise<number> {
  if (startingTimestamp !== undefined) return versionAtTimestamp(request.ctx, table, startingTimestamp);
  return (await latestSnapshot(request.ctx, table)).version;
}

async function snapshotAt(
  request: FastifyRequest,
  table: SharedTable,
  at: { version?: number; timestamp?: string },
) {
  if (at.version !== undefined && at.timestamp !== undefined) {
    throw invalidParameter("only one of version and timestamp may be given");
  }
  if (at.timestamp !== undefined) return snapshotAtTimestamp(request.ctx, table, at.timestamp);
  if (at.version !== undefined) return snapshotAtVersion(request.ctx, table, at.version);
  return latestSnapshot(request.ctx, table);
}

export async function answerMetadata(
  request: FastifyRequest,
  reply: FastifyReply,
  table: SharedTable,
  at: { version?: number; timestamp?: string },
): Promise<FastifyReply> {
  const snapshot = await snapshotAt(request, table, at);
  const format = chooseResponseFormat(capabilitiesOf(request), snapshot, parquetBlockers(snapshot));
  const versioned = at.version !== undefined || at.timestamp !== undefined;
  const access = tableAccess(table, request.identity);
  const sliced = recipientSlice(request, table, snapshot.metadata) !== undefined;
  const parquet = metadataLine(snapshot, table, { withVersion: versioned, access, sliced });
  const size = parquet.metaData;
  const lines =
    format === "delta"
      ? [
          deltaProtocolLine(snapshot.protocol),
          deltaMetadataLine(snapshot.metadata, access, {
            ...(versioned ? { version: snapshot.version } : {}),
            ...("size" in size ? { size: size.size, numFiles: size.numFiles } : {}),
          }),
        ]
      : [protocolLine(), parquet];
  reply.header("delta-table-version", String(snapshot.version));
  reply.header("delta-sharing-capabilities", capabilitiesHeader(format, false));
  reply.type(ndjsonType);
  return reply.send(ndjsonStream(lines));
}

// ---- snapshot queries ----

export function checkQueryBody(body: QueryBody): void {
  const travel = [body.version, body.timestamp, body.startingVersion].filter((value) => value !== undefined);
  if (travel.length > 1)
    throw invalidParameter("only one of version, timestamp and startingVersion may be given");
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
  if (body.refreshToken !== undefined && travel.length > 0) {
    throw invalidParameter("a refresh token is only valid for a query of the newest snapshot");
  }
  if (body.refreshToken !== undefined && body.pageToken !== undefined) {
    throw invalidParameter("a refresh token restarts a query; it cannot be combined with a page token");
  }
}

/** What an asynchronous query's id fixed at submission: every poll reads this version and format. */
export interface PinnedQuery {
  version: number;
  format: ResponseFormat;
  fileIdScheme?: FileIdScheme | undefined;
}

export interface SnapshotRequest {
  snapshot: Snapshot;
  format: ResponseFormat;
  page?: SnapshotPage;
  scope: TokenScope;
  refreshScope: TokenScope;
  /** The file id scheme the client named (fileidhash); ids follow the format otherwise. */
  fileIdScheme?: FileIdScheme | undefined;
}

/**
 * The snapshot a query reads: pinned by a page or refresh token or by an asynchronous query's id,
 * or at its version or timestamp.
 */
export async function snapshotForQuery(
  request: FastifyRequest,
  table: SharedTable,
  body: QueryBody,
  pinned?: PinnedQuery,
): Promise<SnapshotRequest> {
  const { ctx } = request;
  const fileIdScheme = pinned ? pinned.fileIdScheme : requestedFileIdScheme(request);
  const scope = scopeOf(request, table, {
    q: "snapshot",
    predicateHints: body.predicateHints,
    jsonPredicateHints: body.jsonPredicateHints,
    limitHint: body.limitHint,
    version: body.version,
    timestamp: body.timestamp,
  });
  const refreshScope = scopeOf(request, table, {
    q: "refresh",
    predicateHints: body.predicateHints,
    jsonPredicateHints: body.jsonPredicateHints,
    limitHint: body.limitHint,
  });
  if (body.pageToken !== undefined) {
    const page = decodePageToken(ctx.queryPageTokens, body.pageToken, scope);
    if (page.kind !== "snapshot") throw invalidParameter("the page token is not valid for this request");
    return {
      snapshot: await pinnedSnapshot(ctx, table, page.version),
      format: page.format,
      page,
      scope,
      refreshScope,
      fileIdScheme,
    };
  }
  if (pinned) {
    const snapshot = await pinnedSnapshot(ctx, table, pinned.version);
    return { snapshot, format: pinned.format, scope, refreshScope, fileIdScheme };
  }
  let snapshot: Snapshot;
  if (body.refreshToken !== undefined) {
    snapshot = await pinnedSnapshot(
      ctx,
      table,
      decodeRefreshToken(ctx.refreshTokens, body.refreshToken, refreshScope),
    );
  } else {
    snapshot = await snapshotAt(request, table, body);
  }
  const format = chooseResponseFormat(capabilitiesOf(request), snapshot, parquetBlockers(snapshot));
  return { snapshot, format, scope, refreshScope, fileIdScheme };
}

export async function answerSnapshotQuery(
  request: FastifyRequest,
  reply: FastifyReply,
  table: SharedTable,
  body: QueryBody,
  chosen: SnapshotRequest,
  mightMatch: ((file: AddFile) => boolean) | undefined,
): Promise<FastifyReply> {
  const { ctx } = request;
  const { snapshot, format } = chosen;
  const capabilities = capabilitiesOf(request);
  const versioned = body.version !== undefined || body.timestamp !== undefined;
  const storage = ctx.storageOf(table);
  const timestamp = versioned
    ? await commitTimestampOf(storage, inCommitTimestampsOf(snapshot.metadata), snapshot.version)
    : undefined;
  const paged = body.maxFiles !== undefined || body.pageToken !== undefined;
  const size = Math.min(
    body.maxFiles ?? ctx.config.queryTablePageSizeLimit,
    ctx.config.queryTablePageSizeLimit,
  );
  const latestQuery = !versioned;
  const refreshToken =
    body.includeRefreshToken === true && latestQuery && chosen.page === undefined
      ? encodeRefreshToken(
          ctx.refreshTokens,
          chosen.refreshScope,
          snapshot.version,
          ctx.config.refreshTokenTtlMs,
        )
      : undefined;
  const slice = recipientSlice(request, table, snapshot.metadata);
  const report: SelectionReport = { considered: 0, pruned: 0, returned: 0 };
  const endStreamAction = capabilities.includeEndStreamAction || paged || refreshToken !== undefined;
  const lines = snapshotQueryLines({
    table,
    access: tableAccess(table, request.identity),
    snapshot,
    format,
    ...(versioned ? { versioned: timestamp !== undefined ? { timestamp } : {} } : {}),
    ...(slice ? { slice } : {}),
    ...(mightMatch ? { mightMatch } : {}),
    ...(body.limitHint !== undefined ? { limitHint: body.limitHint } : {}),
    // a refresh token is used to get URLs that live long again: never hand out older ones then
    signer: (body.refreshToken !== undefined ? freshFileSigner : fileSigner)(
      request,
      table,
      chosen.fileIdScheme ?? format,
    ),
    report,
    ...(paged
      ? {
          paging: {
            size,
            ...(chosen.page ? { from: chosen.page } : {}),
            nextToken: (page: SnapshotPage) =>
              encodePageToken(ctx.queryPageTokens, chosen.scope, page, ctx.config.queryTablePageTokenTtlMs),
          },
        }
      : {}),
    ...(refreshToken !== undefined ? { refreshToken } : {}),
    endStreamAction,
  });
  async function* reported() {
    yield* lines;
    request.selection = report;
  }
  return send(request, reply, {
    table,
    version: snapshot.version,
    format,
    endStreamAction,
    lines: reported(),
    fileIdScheme: chosen.fileIdScheme,
  });
}
