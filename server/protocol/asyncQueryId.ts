// The id of an asynchronous query (PROTOCOL.md "asyncQuery", "Get Query Info"). No replica keeps
// any state for it: the id is the query itself, signed with the server's signing key — who asked
// (the recipient), which table, the request body, the table version it pinned, the response format
// and file id scheme chosen — so a poll that reaches any replica sharing the key is answered from
// that replica's own snapshot cache.
//
// The id is a pure function of those parts, the idempotency key and the expiry, and the expiry is
// rounded up to a whole window of `ttlMs`: a retried submission of the same query, with the same
// key, by the same recipient, reading the same table version within the same window, gets the
// very same id (with hour-long windows a retry seconds later almost always does; one that crosses
// a window's end or a new table version gets a new id, and since no replica holds state for either,
// no work is duplicated). An id stays valid for at least `ttlMs` and at most twice that. An id that
// is forged, altered, minted for another recipient or table, or expired answers 404, as the
// protocol lists for unknown queries.
import { createHash } from "node:crypto";
import type { SignedTokenCodec } from "../crypto/signedToken.ts";
import type { ResponseFormat } from "./capabilities.ts";
import { SharingError } from "./errors.ts";
import { isFileIdScheme } from "./fileIdHash.ts";
import type { FileIdScheme } from "./fileIds.ts";
import type { QueryBody } from "./requestSchemas.ts";

export interface AsyncQuery {
  recipient: string;
  tableId: string;
  /** The submitted body, without its idempotency key, page token or refresh token. */
  body: QueryBody;
  /** The table version the submission pinned: every poll reads exactly this version. */
  version: number;
  format: ResponseFormat;
  fileIdScheme?: FileIdScheme;
}

interface Claims {
  s: [string, string];
  k: string;
  q: Record<string, unknown>;
  v: number;
  f: ResponseFormat;
  h?: FileIdScheme;
  x: number;
}

/** Ids longer than this are not handed out: the query is answered synchronously instead. */
export const maxQueryIdLength = 4096;

/** The body as the id carries it: only the query's parameters, keys in a fixed order. */
export function storedBody(body: QueryBody): Record<string, unknown> {
  const {
    idempotencyKey: _key,
    idempotency_key: _snakeKey,
    pageToken: _page,
    refreshToken: _refresh,
    ...query
  } = body;
  const sorted: Record<string, unknown> = {};
  for (const name of Object.keys(query).sort()) {
    const value = (query as Record<string, unknown>)[name];
    if (value !== undefined) sorted[name] = value;
  }
  return sorted;
}

const keyHash = (key: string) => createHash("sha256").update(key).digest("base64url").slice(0, 22);

export function encodeQueryId(
  codec: SignedTokenCodec,
  query: AsyncQuery,
  idempotencyKey: string,
  ttlMs: number,
  now = Date.now(),
): string {
  const claims: Claims = {
    s: [query.recipient, query.tableId],
    k: keyHash(idempotencyKey),
    q: storedBody(query.body),
    v: query.version,
    f: query.format,
    ...(query.fileIdScheme !== undefined ? { h: query.fileIdScheme } : {}),
    x: (Math.floor(now / ttlMs) + 2) * ttlMs,
  };
  return codec.encode(claims);
}

const unknownQuery = () =>
  new SharingError("notFound", "no such query: the query id is unknown or not valid for this table");

/** The query an id names, for this recipient and table; 404 when unknown or expired. */
export function decodeQueryId(
  codec: SignedTokenCodec,
  id: string,
  scope: { recipient: string; tableId: string },
  now = Date.now(),
): AsyncQuery {
  const claims = codec.decode(id) as Partial<Claims> | undefined;
  if (
    !claims ||
    !Array.isArray(claims.s) ||
    claims.s[0] !== scope.recipient ||
    claims.s[1] !== scope.tableId ||
    typeof claims.x !== "number" ||
    !Number.isInteger(claims.v) ||
    (claims.f !== "parquet" && claims.f !== "delta") ||
    (claims.h !== undefined && !isFileIdScheme(claims.h)) ||
    typeof claims.q !== "object" ||
    claims.q === null
  ) {
    throw unknownQuery();
  }
  if (claims.x <= now) {
    throw new SharingError("notFound", "the query has expired; submit it again for a new query id");
  }
  return {
    recipient: scope.recipient,
    tableId: scope.tableId,
    body: claims.q as QueryBody,
    version: claims.v as number,
    format: claims.f,
    ...(claims.h !== undefined ? { fileIdScheme: claims.h } : {}),
  };
}
