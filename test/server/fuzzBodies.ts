// Generators of query bodies for the fuzz test: protocol fields of the right and the wrong types,
// random JSON predicate trees and SQL-ish hints.
import fc from "fast-check";

export const oneOf = <T>(...items: fc.Arbitrary<T>[]) => fc.oneof(...items);
export const text = (maxLength = 20) =>
  oneOf(
    fc.string({ maxLength }),
    fc.string({ unit: "binary", maxLength }),
    fc.string({ unit: "grapheme", maxLength }),
  );
/** Usually the right kind of value, sometimes any JSON value at all. */
export const loose = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 3, arbitrary: good as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: fc.jsonValue() });

const columns = ["id", "big", "score", "name", "active", "day", "ts", "region", "amount", "note", "grp"];
const valueTypes = [
  "int",
  "long",
  "string",
  "date",
  "float",
  "double",
  "boolean",
  "timestamp",
  "short",
  "byte",
];
const literals = [
  "1",
  "-1",
  "0",
  "2024-01-01",
  "2024-01-02T03:04:05Z",
  "abc",
  "",
  "1e309",
  "NaN",
  "true",
  "9".repeat(40),
];

const leaf = fc.oneof(
  fc.record({
    op: fc.constant("column"),
    name: oneOf(fc.constantFrom(...columns), text(8)),
    valueType: oneOf(fc.constantFrom(...valueTypes), text(6)),
  }),
  fc.record({
    op: fc.constant("literal"),
    value: oneOf(fc.constantFrom(...literals), text(12)),
    valueType: oneOf(fc.constantFrom(...valueTypes), text(6)),
  }),
);

const { predicate } = fc.letrec<{ predicate: unknown }>((tie) => ({
  predicate: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.record({
      op: fc.constantFrom(
        "equal",
        "lessThan",
        "lessThanOrEqual",
        "greaterThan",
        "greaterThanOrEqual",
        "isNull",
        "in",
      ),
      children: fc.array(oneOf(leaf, tie("predicate")), { maxLength: 3 }),
    }),
    fc.record({
      op: fc.constantFrom("and", "or", "not"),
      children: fc.array(tie("predicate"), { maxLength: 3 }),
    }),
    leaf,
    fc.jsonValue({ maxDepth: 2 }),
  ),
}));

const sqlTokens = [
  ...columns,
  "=",
  "<",
  ">",
  "<=",
  ">=",
  "<>",
  "!=",
  "IS",
  "NULL",
  "NOT",
  "AND",
  "OR",
  "IN",
  "BETWEEN",
  "LIKE",
  "(",
  ")",
  ",",
  "'x'",
  "'2024-01-01'",
  "1",
  "-1.5e10",
  "date'2024-01-01'",
  "timestamp'2024-01-01 00:00:00'",
  "''",
  "'",
  "\\",
  "--",
  ";",
];
const sqlHint = fc
  .array(oneOf(fc.constantFrom(...sqlTokens), text(6)), { maxLength: 9 })
  .map((tokens) => tokens.join(" "));

export const queryBody = fc.record(
  {
    predicateHints: loose(fc.array(sqlHint, { maxLength: 4 })),
    jsonPredicateHints: loose(
      oneOf(
        predicate.map((p) => JSON.stringify(p)),
        text(30),
      ),
    ),
    limitHint: loose(oneOf(fc.integer(), fc.double(), fc.constant(2 ** 31))),
    version: loose(fc.integer({ min: -2, max: 12 })),
    timestamp: loose(
      oneOf(fc.constantFrom("2024-01-01T00:00:00Z", "2999-01-01T00:00:00Z", "yesterday"), text(20)),
    ),
    startingVersion: loose(fc.integer({ min: -2, max: 12 })),
    endingVersion: loose(fc.integer({ min: -2, max: 12 })),
    maxFiles: loose(fc.integer({ min: -1, max: 5 })),
    pageToken: loose(text(40)),
    includeRefreshToken: loose(fc.boolean()),
    refreshToken: loose(text(40)),
    idempotencyKey: loose(text(10)),
    idempotency_key: loose(text(10)),
    queryId: loose(text(40)),
    includeHistoricalProtocol: loose(fc.boolean()),
    ["__proto__"]: fc.jsonValue({ maxDepth: 1 }),
  },
  { requiredKeys: [] },
);
