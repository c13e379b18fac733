// Page tokens of /query and /changes and refresh tokens of snapshot queries. Both are signed and
// bound to the recipient, the table, a hash of the query's parameters and the table version the
// first answer pinned, and they expire: a token cannot be forged, altered, replayed by another
// recipient, used on another table or query, or kept past its lifetime.
import { createHash } from "node:crypto";
import type { SignedTokenCodec } from "../crypto/signedToken.ts";
import type { ResponseFormat } from "./capabilities.ts";
import { invalidParameter } from "./errors.ts";

export interface TokenScope {
  recipient: string;
  tableId: string;
  /** Hash of the parameters that must not change between pages (see parametersHash). */
  parameters: string;
}

/** Where the next page of a snapshot query resumes: after the file with key `after`, in key order. */
export interface SnapshotPage {
  kind: "snapshot";
  version: number;
  format: ResponseFormat;
  after: string;
  /** Rows the earlier pages cover, for limitHint. */
  rows: number;
}

/** Where the next page of a change query resumes: at item `index` of version `version`. */
export interface ChangesPage {
  kind: "changes";
  version: number;
  index: number;
  end: number;
  latest: number;
  format: ResponseFormat;
}

export type QueryPage = SnapshotPage | ChangesPage;

type Claims =
  | { s: [string, string, string]; x: number; p: QueryPage }
  | { s: [string, string, string]; x: number; v: number };

/** A stable hash of the query parameters a token is bound to (undefined ones left out). */
export function parametersHash(parameters: Record<string, unknown>): string {
  const defined = Object.keys(parameters)
    .filter((key) => parameters[key] !== undefined)
    .sort()
    .map((key) => [key, parameters[key]]);
  return createHash("sha256").update(JSON.stringify(defined)).digest("base64url").slice(0, 22);
}

const scopeOf = (scope: TokenScope): [string, string, string] => [
  scope.recipient,
  scope.tableId,
  scope.parameters,
];

function checkClaims(
  codec: SignedTokenCodec,
  token: string,
  scope: TokenScope,
  what: string,
): Record<string, unknown> {
  const claims = codec.decode(token) as Record<string, unknown> | undefined;
  const expected = scopeOf(scope);
  const bound = claims?.s;
  if (
    !claims ||
    !Array.isArray(bound) ||
    bound.length !== 3 ||
    bound.some((part, index) => part !== expected[index]) ||
    typeof claims.x !== "number"
  ) {
    throw invalidParameter(`the ${what} is not valid for this request`);
  }
  if (claims.x < Date.now()) throw invalidParameter(`the ${what} has expired; start the query again`);
  return claims;
}

export function encodePageToken(
  codec: SignedTokenCodec,
  scope: TokenScope,
  page: QueryPage,
  ttlMs: number,
): string {
  const claims: Claims = { s: scopeOf(scope), x: Date.now() + ttlMs, p: page };
  return codec.encode(claims);
}

export function decodePageToken(codec: SignedTokenCodec, token: string, scope: TokenScope): QueryPage {
  const page = checkClaims(codec, token, scope, "page token").p as QueryPage | undefined;
  const valid =
    typeof page === "object" &&
    page !== null &&
    Number.isInteger(page.version) &&
    (page.format === "parquet" || page.format === "delta") &&
    ((page.kind === "snapshot" && typeof page.after === "string" && Number.isInteger(page.rows)) ||
      (page.kind === "changes" &&
        Number.isInteger(page.index) &&
        Number.isInteger(page.end) &&
        Number.isInteger(page.latest)));
  if (!valid) throw invalidParameter("the page token is not valid for this request");
  return page;
}

export function encodeRefreshToken(
  codec: SignedTokenCodec,
  scope: TokenScope,
  version: number,
  ttlMs: number,
): string {
  const claims: Claims = { s: scopeOf(scope), x: Date.now() + ttlMs, v: version };
  return codec.encode(claims);
}

/** The version a refresh token pins. */
export function decodeRefreshToken(codec: SignedTokenCodec, token: string, scope: TokenScope): number {
  const version = checkClaims(codec, token, scope, "refresh token").v;
  if (typeof version !== "number" || !Number.isInteger(version) || version < 0) {
    throw invalidParameter("the refresh token is not valid for this request");
  }
  return version;
}
