// Generators of malformed (and now and then well-formed) requests for every endpoint: paths built
// from the real route shapes with odd segments, query strings, headers, and bodies that mix
// protocol fields of the wrong types with random predicate trees and SQL-ish hints (fuzzBodies.ts).
import fc from "fast-check";
import { oneOf, queryBody, text } from "./fuzzBodies.ts";

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
}

export interface FuzzTargets {
  endpoint: string;
  token: string;
  names: string[];
  /** share.schema.table of real tables, some in odd letter case. */
  tables: string[];
  pageTokens: string[];
  fileUrls: string[];
}

const oddSegments = [
  "%",
  "%ZZ",
  "%00",
  "%2F",
  "%2e%2e",
  "..",
  ".",
  "",
  "%C0%AF",
  "%FF",
  "a%20b",
  "x".repeat(300),
  "ü",
  "%F0%9F%98%80",
  "%0d%0a",
  "null",
  "undefined",
  "__proto__",
  "constructor",
];

const queryKeys = [
  "version",
  "timestamp",
  "startingVersion",
  "endingVersion",
  "maxResults",
  "pageToken",
  "startingTimestamp",
  "includeHistoricalMetadata",
];
const queryValue = (targets: FuzzTargets) =>
  oneOf(
    fc.integer({ min: -5, max: 12 }).map(String),
    fc.constantFrom(
      "",
      "-1",
      "1e400",
      "9999999999999999999999",
      "NaN",
      "null",
      "true",
      "2024-01-01T00:00:00Z",
      "2024-13-45",
      "%",
      "%00",
      "0x10",
    ),
    text(30).map(encodeURIComponent),
    fc.constantFrom(...targets.pageTokens, "x"),
    fc.string({ unit: "binary", maxLength: 400 }).map(encodeURIComponent),
  );

function joinPath(segments: string[]): string {
  return `/${segments.join("/")}`;
}

export function fuzzRequest(targets: FuzzTargets): fc.Arbitrary<FuzzRequest> {
  // mostly real names, so that requests reach the tables and the deeper code paths
  const name = fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...targets.names) },
    { weight: 1, arbitrary: text(20).map(encodeURIComponent) },
    { weight: 1, arbitrary: fc.constantFrom(...oddSegments) },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme-ascii", maxLength: 12 }) },
  );
  const triple = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom(...targets.tables).map((t) => t.split(".") as [string, string, string]),
    },
    { weight: 1, arbitrary: fc.tuple(name, name, name) },
  );
  const tablePath = triple.map(([share, schema, table]) => [
    "shares",
    share,
    "schemas",
    schema,
    "tables",
    table,
  ]);
  const apiPath = fc.oneof(
    fc.constant<string[]>(["shares"]),
    name.map((share) => ["shares", share]),
    name.map((share) => ["shares", share, "schemas"]),
    name.map((share) => ["shares", share, "all-tables"]),
    fc.tuple(name, name).map(([share, schema]) => ["shares", share, "schemas", schema, "tables"]),
    tablePath,
    {
      weight: 8,
      arbitrary: fc
        .tuple(tablePath, fc.constantFrom("version", "metadata", "query", "query", "query", "changes"))
        .map(([base, end]) => [...base, end]),
    },
    fc
      .tuple(
        tablePath,
        oneOf(
          text(60).map(encodeURIComponent),
          fc.constantFrom("x.y", "6d3a1f1e-9b2c-4c8a-8e1f-2f5b7a9c0d11"),
        ),
      )
      .map(([base, id]) => [...base, "queries", id]),
    fc
      .tuple(oneOf(text(60).map(encodeURIComponent), fc.constantFrom("x", ...oddSegments)), name)
      .map(([token, file]) => ["files", token, file]),
    fc.array(name, { maxLength: 8 }),
  );
  const prefix = targets.endpoint.replace(/^\//, "");
  const path = fc.oneof(
    { weight: 6, arbitrary: apiPath.map((segments) => joinPath([prefix, ...segments])) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "/healthz",
        "/readyz",
        "/metrics",
        "/",
        "//",
        `/${prefix}`,
        `/${prefix}/`,
        "/*",
      ),
    },
    { weight: 1, arbitrary: fc.constantFrom(...targets.fileUrls) },
    { weight: 1, arbitrary: fc.webPath() },
  );
  // an undeclared parameter is refused before any handler runs, so half the requests carry none
  // to reach deeper (fuzz-query-strings.test.ts fuzzes each route's query string by itself)
  const query = fc.oneof(
    fc.constant(""),
    fc
      .array(
        fc.tuple(oneOf(fc.constantFrom(...queryKeys), text(8).map(encodeURIComponent)), queryValue(targets)),
        { maxLength: 4 },
      )
      .map((pairs) => (pairs.length === 0 ? "" : `?${pairs.map(([k, v]) => `${k}=${v}`).join("&")}`)),
  );
  const header = (values: fc.Arbitrary<string>) => fc.option(values, { nil: undefined });
  const headers = fc
    .record({
      authorization: header(
        fc.oneof(
          { weight: 6, arbitrary: fc.constant(`Bearer ${targets.token}`) },
          {
            weight: 1,
            arbitrary: fc.constantFrom(
              `bearer ${targets.token}`,
              `Bearer  ${targets.token} `,
              "Bearer",
              "Bearer ",
              `Basic ${targets.token}`,
            ),
          },
          { weight: 1, arbitrary: fc.string({ maxLength: 60 }).map((t) => `Bearer ${t}`) },
        ),
      ),
      "delta-sharing-capabilities": header(
        oneOf(
          fc.constantFrom(
            "responseformat=delta",
            "responseformat=parquet,delta",
            "responseformat=delta;readerfeatures=deletionvectors,columnmapping",
            "responseformat=parquet;asyncquery=true",
            "responseformat=delta;asyncquery=true;includeendstreamaction=true",
            "responseformat=",
            ";;;",
            "readerfeatures",
          ),
          fc.string({ maxLength: 40 }),
        ),
      ),
      "content-type": header(
        fc.constantFrom(
          "application/json",
          "application/json; charset=utf-8",
          "text/plain",
          "application/x-www-form-urlencoded",
          "multipart/form-data; boundary=x",
          "",
          "*/*",
        ),
      ),
      fileidhash: header(
        oneOf(fc.constantFrom("parquet", "DELTA", "sha1", ""), fc.string({ maxLength: 12 })),
      ),
      "x-forwarded-for": header(oneOf(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 20 }))),
      range: header(
        oneOf(
          fc.constantFrom(
            "bytes=0-0",
            "bytes=-1",
            "bytes=5-1",
            "bytes=0-",
            "bytes=-0",
            "bytes=99999999-",
            "bytes=a-b",
            "items=0-1",
          ),
          fc.string({ maxLength: 20 }),
        ),
      ),
      "user-agent": header(fc.string({ maxLength: 40 })),
    })
    .map(
      (record) =>
        Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Record<
          string,
          string
        >,
    );
  const body = fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 6, arbitrary: queryBody.map((b) => JSON.stringify(b)) },
    { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 200 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "{",
        "[]",
        "null",
        "1e999",
        '{"limitHint":1e999}',
        '{"version":1.5}',
        '{"__proto__":{"x":1}}',
        '{"constructor":{"prototype":{}}}',
        " ",
      ),
    },
  );
  const method = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom("GET", "POST", "POST", "HEAD") },
    { weight: 1, arbitrary: fc.constantFrom("PUT", "DELETE", "OPTIONS", "PATCH", "TRACE") },
  );
  // mostly the method the route expects, so that requests get past routing
  const natural = (path: string, roll: number) => {
    const route = path.split("?")[0] ?? "";
    if (route.endsWith("/query")) return "POST";
    if (/\/tables\/[^/]+$/.test(route) && roll % 2 === 0) return "HEAD";
    if (route.includes("/files/") && roll % 3 === 0) return "HEAD";
    return "GET";
  };
  return fc
    .record({ wild: method, roll: fc.nat(99), path, query, headers, body })
    .map(({ wild, roll, path, query, headers, body }) => {
      const chosen = roll < 75 ? natural(path, roll) : wild;
      return {
        method: chosen,
        path: path.includes("?") ? path : `${path}${query}`,
        headers,
        body: chosen === "GET" || chosen === "HEAD" ? undefined : body,
      };
    });
}

/** Raw bytes of a broken HTTP/1.1 request: odd request lines, header injection, bad framing. */
export function rawRequest(targets: FuzzTargets): fc.Arbitrary<string> {
  const target = oneOf(
    fc.constantFrom(
      `${targets.endpoint}/shares`,
      `${targets.endpoint}/shares/s/schemas/d/tables/small/query`,
      "/healthz",
      "*",
      "http://x/",
      "",
    ),
    fc.string({ unit: "binary-ascii", maxLength: 60 }),
  );
  const methodToken = oneOf(
    fc.constantFrom("GET", "POST", "HEAD", "get", "G ET", "", "CONNECT", "PRI"),
    fc.string({ unit: "binary-ascii", maxLength: 8 }),
  );
  const version = fc.constantFrom(
    "HTTP/1.1",
    "HTTP/1.0",
    "HTTP/2.0",
    "HTTP/9.9",
    "HTTP/1.1 x",
    "",
    "http/1.1",
    "HTTP/1.",
  );
  const headerLine = oneOf(
    fc.constantFrom(
      `Authorization: Bearer ${targets.token}`,
      "Content-Length: 5",
      "Content-Length: -1",
      "Content-Length: 1, 2",
      "Content-Length: 99999999999999999999",
      "Transfer-Encoding: chunked",
      "Transfer-Encoding: gzip, chunked",
      "Transfer-Encoding: identity",
      "Content-Type: application/json",
      "Host: 127.0.0.1",
      "Host:",
      "Expect: 100-continue",
      "Connection: upgrade",
      "Upgrade: websocket",
      ": empty-name",
      "No-Colon",
      " folded: header",
      "X-Forwarded-For: 10.0.0.1",
    ),
    fc
      .tuple(
        fc.string({ unit: "binary-ascii", maxLength: 12 }),
        fc.string({ unit: "binary-ascii", maxLength: 30 }),
      )
      .map(([n, v]) => `${n}: ${v}`),
  );
  const bodyPart = oneOf(
    fc.constantFrom(
      "",
      "{}",
      "0\r\n\r\n",
      "5\r\nhello\r\n0\r\n\r\n",
      "zz\r\n",
      '{"limitHint":',
      "x".repeat(10_000),
    ),
    fc.string({ unit: "binary-ascii", maxLength: 100 }),
  );
  const lineEnd = fc.constantFrom("\r\n", "\n", "\r", "\r\r\n");
  return fc
    .tuple(methodToken, target, version, fc.array(headerLine, { maxLength: 6 }), lineEnd, bodyPart)
    .map(([m, t, v, hs, end, b]) => `${m} ${t} ${v}${end}${hs.map((h) => `${h}${end}`).join("")}${end}${b}`);
}
