// What a request asks for, from the route pattern it matched: the audit's "kind" and whether the
// request is a data request at all. Operations endpoints and unknown paths are not; neither are
// downloads of locally served files, which like S3 downloads follow a query that handed out their
// URLs (and was audited) and carry no recipient, only a signed URL.

const suffixes: [RegExp, string][] = [
  [/\/shares$/, "listShares"],
  [/\/shares\/:share$/, "getShare"],
  [/\/shares\/:share\/schemas$/, "listSchemas"],
  [/\/shares\/:share\/all-tables$/, "listAllTables"],
  [/\/shares\/:share\/schemas\/:schema\/tables$/, "listTables"],
  [/\/tables\/:table\/version$/, "version"],
  [/\/tables\/:table\/metadata$/, "metadata"],
  [/\/tables\/:table\/query$/, "query"],
  [/\/tables\/:table\/changes$/, "changes"],
  [/\/tables\/:table\/queries\/:queryId$/, "queryInfo"],
  [/\/tables\/:table\/temporary-table-credentials$/, "temporaryTableCredentials"],
];

/** The kind of a data request, `undefined` for anything else. */
export function requestKind(method: string, routePattern: string | undefined): string | undefined {
  if (routePattern === undefined) return undefined;
  if (method === "HEAD" && /\/tables\/:table$/.test(routePattern)) return "version";
  return suffixes.find(([pattern]) => pattern.test(routePattern))?.[1];
}
