// Pagination of the list endpoints. The next-page token is signed and bound to the listing it came
// from (which endpoint, share and schema), so it cannot be forged or replayed against another list.
import type { SignedTokenCodec } from "../crypto/signedToken.ts";
import { invalidParameter } from "./errors.ts";

export const maxPageSize = 500;

export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

export function paginate<T>(
  all: readonly T[],
  scope: string,
  query: { maxResults?: number | undefined; pageToken?: string | undefined },
  codec: SignedTokenCodec,
): Page<T> {
  let offset = 0;
  if (query.pageToken !== undefined && query.pageToken !== "") {
    const claims = codec.decode(query.pageToken) as { s?: unknown; o?: unknown } | undefined;
    if (!claims || claims.s !== scope || typeof claims.o !== "number" || claims.o < 0) {
      throw invalidParameter("the page token is not valid for this request");
    }
    offset = claims.o;
  }
  const size = Math.min(query.maxResults ?? maxPageSize, maxPageSize);
  const items = all.slice(offset, offset + size);
  const next = offset + items.length;
  if (next >= all.length) return { items };
  return { items, nextPageToken: codec.encode({ s: scope, o: next }) };
}
