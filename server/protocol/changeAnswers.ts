// Change queries: a streaming query from a version (POST .../query with startingVersion) and a
// change data feed (GET .../changes by versions or timestamps): the range they read, its head
// state and format, and the streamed lines. Errors follow the protocol (start after the latest
// version, end before start, no change data recorded, history not shared).
import type { FastifyReply, FastifyRequest } from "fastify";
import type { TableMetadata } from "../delta/actions.ts";
import { changeDataFeedEnabled, notRecorded } from "../delta/changes.ts";
import {
  inCommitTimestampsOf,
  parseTimestamp,
  versionAtOrAfter,
  versionAtOrBefore,
} from "../delta/history.ts";
import { parquetBlockersOf } from "../delta/parquetCompatibility.ts";
import type { Snapshot } from "../delta/snapshot.ts";
import { stateAtVersion, type TableState } from "../delta/stateAtVersion.ts";
import type { SharedTable } from "../shares/catalog.ts";
import {
  latestSnapshot,
  pinnedSnapshot,
  requireHistory,
  requireSharedVersion,
} from "../tables/tableSnapshot.ts";
import { tableAccess } from "./accessModes.ts";
import { capabilitiesOf, fileSigner, scopeOf, send } from "./answerSupport.ts";
import type { ResponseFormat } from "./capabilities.ts";
import { changesQueryLines } from "./changesQuery.ts";
import { invalidParameter } from "./errors.ts";
import { requestedFileIdScheme } from "./fileIdHash.ts";
import type { FileIdScheme } from "./fileIds.ts";
import { type ChangesPage, decodePageToken, encodePageToken, type TokenScope } from "./queryPageToken.ts";
import { recipientSlice } from "./recipientSlice.ts";
import type { ChangesQuery as ChangesParams, QueryBody } from "./requestSchemas.ts";
import { chooseResponseFormat } from "./responseFormat.ts";
import type { PinnedQuery } from "./tableAnswers.ts";

function changesFormat(request: FastifyRequest, states: TableState[], latest: Snapshot): ResponseFormat {
  const blockers = new Set<string>();
  for (const state of states) {
    for (const blocker of parquetBlockersOf(state.protocol, state.metadata, () => true))
      blockers.add(blocker);
  }
  return chooseResponseFormat(capabilitiesOf(request), latest, [...blockers]);
}

export interface ChangesPlan {
  mode: "cdf" | "stream";
  from: number;
  to: number;
  latest: Snapshot;
  head: TableState;
  format: ResponseFormat;
  /** The file id scheme the client named (fileidhash); ids follow the format otherwise. */
  fileIdScheme?: FileIdScheme | undefined;
  includeMetadata: boolean;
  includeProtocol: boolean;
  page?: ChangesPage;
  pageSize?: number;
  scope: TokenScope;
}

async function answerChanges(
  request: FastifyRequest,
  reply: FastifyReply,
  table: SharedTable,
  plan: ChangesPlan,
) {
  const { ctx } = request;
  const endStreamAction = capabilitiesOf(request).includeEndStreamAction || plan.pageSize !== undefined;
  // checked before the answer starts, so a filter the table cannot take is refused with a status
  recipientSlice(request, table, plan.latest.metadata);
  const sliceAt = (metadata: TableMetadata) => recipientSlice(request, table, metadata);
  const query = {
    mode: plan.mode,
    table,
    access: tableAccess(table, request.identity),
    storage: ctx.storageOf(table),
    latest: plan.latest,
    head: plan.head,
    from: plan.from,
    to: plan.to,
    format: plan.format,
    includeMetadata: plan.includeMetadata,
    includeProtocol: plan.includeProtocol,
    ict: inCommitTimestampsOf(plan.latest.metadata),
    files: ctx.filesOf(table),
    signer: fileSigner(request, table, plan.fileIdScheme ?? plan.format),
    ...(table.partitionFilter ? { sliceAt } : {}),
    ...(plan.pageSize !== undefined
      ? {
          paging: {
            size: plan.pageSize,
            ...(plan.page ? { from: plan.page } : {}),
            nextToken: (page: ChangesPage) =>
              encodePageToken(ctx.queryPageTokens, plan.scope, page, ctx.config.queryTablePageTokenTtlMs),
          },
        }
      : {}),
    endStreamAction,
  };
  return send(request, reply, {
    table: query.table,
    version: plan.from,
    format: plan.format,
    endStreamAction,
    lines: changesQueryLines(query),
    fileIdScheme: plan.fileIdScheme,
  });
}

function changesPage(
  request: FastifyRequest,
  token: string | undefined,
  scope: TokenScope,
): ChangesPage | undefined {
  if (token === undefined) return undefined;
  const page = decodePageToken(request.ctx.queryPageTokens, token, scope);
  if (page.kind !== "changes") throw invalidParameter("the page token is not valid for this request");
  return page;
}

const startAfterLatest = (start: number, latest: number) =>
  invalidParameter(
    `the starting version ${start} is after the latest version of the table (${latest}); ` +
      "the start version cannot be greater than the latest version",
  );

/** POST .../query with startingVersion: the data-changing files of each version from it on. */
export async function answerStreamingQuery(
  request: FastifyRequest,
  reply: FastifyReply,
  table: SharedTable,
  body: QueryBody & { startingVersion: number },
  pinned?: PinnedQuery,
): Promise<FastifyReply> {
  return answerChanges(request, reply, table, await planStreamingQuery(request, table, body, pinned));
}

/** What a streaming query reads; `pinned` (an asynchronous query's) stands for the newest version. */
export async function planStreamingQuery(
  request: FastifyRequest,
  table: SharedTable,
  body: QueryBody & { startingVersion: number },
  pinned?: PinnedQuery,
): Promise<ChangesPlan> {
  const { ctx } = request;
  const fileIdScheme = pinned ? pinned.fileIdScheme : requestedFileIdScheme(request);
  requireHistory(table, "startingVersion");
  requireSharedVersion(table, body.startingVersion);
  const scope = scopeOf(request, table, {
    q: "stream",
    startingVersion: body.startingVersion,
    endingVersion: body.endingVersion,
    includeHistoricalProtocol: body.includeHistoricalProtocol,
  });
  const page = changesPage(request, body.pageToken, scope);
  const latest = pinned ? await pinnedSnapshot(ctx, table, pinned.version) : await latestSnapshot(ctx, table);
  const latestVersion = page?.latest ?? latest.version;
  if (body.startingVersion > latestVersion) throw startAfterLatest(body.startingVersion, latestVersion);
  const to = page?.end ?? Math.min(body.endingVersion ?? latestVersion, latestVersion);
  const head = await stateAtVersion(ctx.storageOf(table), body.startingVersion, latest);
  const format = page?.format ?? pinned?.format ?? changesFormat(request, [head, latest], latest);
  const paged = body.maxFiles !== undefined || page !== undefined;
  return {
    mode: "stream",
    from: body.startingVersion,
    to,
    latest,
    head,
    format,
    fileIdScheme,
    includeMetadata: true,
    includeProtocol: body.includeHistoricalProtocol === true && format === "delta",
    ...(page ? { page } : {}),
    ...(paged ? { pageSize: pageSize(request, body.maxFiles) } : {}),
    scope,
  };
}

function pageSize(request: FastifyRequest, maxFiles: number | undefined): number {
  const limit = request.ctx.config.queryTablePageSizeLimit;
  return Math.min(maxFiles ?? limit, limit);
}

const isSet = (flag: string | undefined): boolean => flag?.toLowerCase() === "true";

/** GET .../changes: the change data feed of a version range given by versions or timestamps. */
export async function answerChangeDataFeed(
  request: FastifyRequest,
  reply: FastifyReply,
  table: SharedTable,
  params: ChangesParams,
): Promise<FastifyReply> {
  const { ctx } = request;
  const fileIdScheme = requestedFileIdScheme(request);
  requireHistory(table, "reading changes");
  if (params.startingVersion !== undefined && params.startingTimestamp !== undefined) {
    throw invalidParameter("only one of startingVersion and startingTimestamp may be given");
  }
  if (params.endingVersion !== undefined && params.endingTimestamp !== undefined) {
    throw invalidParameter("only one of endingVersion and endingTimestamp may be given");
  }
  if (params.startingVersion === undefined && params.startingTimestamp === undefined) {
    throw invalidParameter("no startingVersion or startingTimestamp was given for reading changes");
  }
  const scope = scopeOf(request, table, {
    q: "cdf",
    startingVersion: params.startingVersion,
    startingTimestamp: params.startingTimestamp,
    endingVersion: params.endingVersion,
    endingTimestamp: params.endingTimestamp,
    includeHistoricalMetadata: isSet(params.includeHistoricalMetadata),
    includeHistoricalProtocol: isSet(params.includeHistoricalProtocol),
  });
  const page = changesPage(request, params.pageToken, scope);
  const latest = await latestSnapshot(ctx, table);
  const latestVersion = page?.latest ?? latest.version;
  const storage = ctx.storageOf(table);
  const ict = inCommitTimestampsOf(latest.metadata);
  const start =
    params.startingVersion ??
    (await versionAtOrAfter(
      storage,
      latestVersion,
      ict,
      parseTimestamp("startingTimestamp", params.startingTimestamp ?? ""),
    ));
  if (start > latestVersion) throw startAfterLatest(start, latestVersion);
  let end = latestVersion;
  if (params.endingVersion !== undefined) end = Math.min(params.endingVersion, latestVersion);
  if (params.endingTimestamp !== undefined) {
    const timestamp = parseTimestamp("endingTimestamp", params.endingTimestamp);
    end = await versionAtOrBefore(storage, latestVersion, ict, timestamp, {
      afterLatest: "latest",
      sharedFrom: table.startVersion,
    });
  }
  if (page) end = page.end;
  if (end < start) {
    throw invalidParameter(
      `the range of changes from version ${start} to version ${end} is empty: its end is before its start`,
    );
  }
  if (start < table.startVersion) {
    throw invalidParameter(`You can only query table changes since version ${table.startVersion}`);
  }
  const startState = await stateAtVersion(storage, start, latest);
  if (!changeDataFeedEnabled(startState.metadata)) throw notRecorded(start, start, end);
  const format = page?.format ?? changesFormat(request, [startState, latest], latest);
  const paged = params.maxFiles !== undefined || page !== undefined;
  return answerChanges(request, reply, table, {
    mode: "cdf",
    from: start,
    to: end,
    latest,
    head: isSet(params.includeHistoricalMetadata) ? startState : latest,
    format,
    fileIdScheme,
    includeMetadata: isSet(params.includeHistoricalMetadata),
    includeProtocol: isSet(params.includeHistoricalProtocol) && format === "delta",
    ...(page ? { page } : {}),
    ...(paged ? { pageSize: pageSize(request, params.maxFiles) } : {}),
    scope,
  });
}
