// Generators of query strings for every route, as each route declares them: its own parameters
// with odd values, given once or repeated, mixed with parameters it does not know (plain,
// bracketed, prototype-ish, empty). Each generated request says what it should get: a parameter
// that is unknown or given twice must be refused with 400, whatever else the request holds.
import fc from "fast-check";
import { oneOf, text } from "./fuzzBodies.ts";

export interface QueryRoute {
  method: "GET" | "HEAD" | "POST";
  /** "data" or "ops": which port answers it. */
  port: "data" | "ops";
  path: string;
  /** The parameters the route declares, and values for them (some good, most odd). */
  params: Record<string, string[]>;
  /** Parameters the route needs to get past validation, always sent (the file route's sig). */
  fixed?: Record<string, string>;
  body?: string;
}

export interface QueryRequest {
  route: QueryRoute;
  query: string;
  /** An unknown or repeated parameter is in it: the answer must be 400. */
  mustRefuse: boolean;
}

const oddValues = [
  "",
  "-1",
  "0",
  "1",
  "1.5",
  "1e400",
  "9999999999999999999999",
  "NaN",
  "true",
  "True",
  "null",
  "2024-01-01T00:00:00Z",
  "2024-13-45",
  "%",
  "%00",
  "%ZZ",
  "a+b",
  "x".repeat(5000),
];

const unknownKeys = [
  "x",
  "foo",
  "MaxResults",
  "maxresults",
  "maxResults[]",
  "a[b]",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "sig ",
  "%20sig",
  "ver%00sion",
  "",
];

const encode = (value: string) => encodeURIComponent(value);

/** A value for a parameter: one of the route's own, an odd one, or random text, URL-encoded or raw. */
const parameterValue = (own: string[]) =>
  oneOf(
    fc.constantFrom(...own, ...oddValues).map(encode),
    text(30).map(encode),
    fc.constantFrom("%", "%E0%A4%A", "&", "=", "==", "a=b=c"),
  );

export function queryRequest(routes: QueryRoute[]): fc.Arbitrary<QueryRequest> {
  return fc.constantFrom(...routes).chain((route) => {
    const declared = Object.keys(route.params);
    const declaredPair = declared.length
      ? fc
          .constantFrom(...declared)
          .chain((key) =>
            parameterValue(route.params[key] ?? []).map((value) => ({ key, value, unknown: false })),
          )
      : undefined;
    const unknownPair = fc
      .tuple(fc.constantFrom(...unknownKeys), parameterValue([]))
      .map(([key, value]) => ({ key, value, unknown: true }));
    const pair = declaredPair ? oneOf(declaredPair, declaredPair, unknownPair) : unknownPair;
    return fc
      .record({
        pairs: fc.array(pair, { maxLength: 4 }),
        repeatFixed: fc.boolean(),
        flagOnly: fc.boolean(),
        separators: fc.constantFrom("&", "&", "&&"),
      })
      .map(({ pairs, repeatFixed, flagOnly, separators }) => {
        const fixed = Object.entries(route.fixed ?? {}).map(([key, value]) => ({
          key,
          value,
          unknown: false,
        }));
        const all = [...fixed, ...(repeatFixed ? fixed : []), ...pairs];
        const parts = all.map(({ key, value }) => (flagOnly && value === "" ? key : `${key}=${value}`));
        // what the server's parser will see as keys: decoded, and only those not left empty by a flag
        const keys = all.map(({ key }) => key);
        const unknown = all.some(
          ({ key }) => !declared.includes(key) && !Object.hasOwn(route.fixed ?? {}, key) && key !== "",
        );
        const repeated = new Set(keys).size !== keys.length;
        // an empty key ("=v", or a lone "") is dropped by some parsers: no verdict on those alone
        const hasEmptyKey = keys.includes("");
        return {
          route,
          query: parts.length === 0 ? "" : `?${parts.join(separators)}`,
          mustRefuse: (unknown || repeated) && !hasEmptyKey,
        };
      });
  });
}
