// Declared shapes of every request input; fastify validates against them before a handler runs,
// and the handlers' types come from the same declarations. Every route declares its query string,
// and a parameter it does not name, or one given twice, is refused with 400.
import { type ObjectOptions, type Static, Type as T, type TProperties } from "@sinclair/typebox";

const queryString = <P extends TProperties>(properties: P, options: ObjectOptions = {}) =>
  T.Object(properties, { additionalProperties: false, ...options });

const name = T.String({ minLength: 1, maxLength: 255 });

export const ShareParams = T.Object({ share: name });
export const SchemaParams = T.Object({ share: name, schema: name });
export const TableParams = T.Object({ share: name, schema: name, table: name });

/** Routes that take no query parameters at all. */
export const NoQuery = queryString({});

/** A locally served file's URL: shaped like a SAS URL (`sp=r`), its signed token in `sig`. */
export const FileQuery = queryString({
  sp: T.Optional(T.Literal("r")),
  sig: T.String({ minLength: 1, maxLength: 8192 }),
});

export const ListQuery = queryString({
  maxResults: T.Optional(T.Integer({ minimum: 0, maximum: 2_147_483_647 })),
  pageToken: T.Optional(T.String({ maxLength: 4096 })),
});

export const VersionQuery = queryString({
  startingTimestamp: T.Optional(T.String({ maxLength: 64 })),
});

export const MetadataQuery = queryString({
  version: T.Optional(T.Integer({ minimum: 0 })),
  timestamp: T.Optional(T.String({ maxLength: 64 })),
});

const int32 = { minimum: 0, maximum: 2_147_483_647 };

export const QueryBody = T.Object({
  predicateHints: T.Optional(T.Array(T.String({ maxLength: 65_536 }), { maxItems: 10_000 })),
  jsonPredicateHints: T.Optional(T.String({ maxLength: 1_048_576 })),
  limitHint: T.Optional(T.Integer(int32)),
  version: T.Optional(T.Integer({ minimum: 0 })),
  timestamp: T.Optional(T.String({ maxLength: 64 })),
  startingVersion: T.Optional(T.Integer({ minimum: 0 })),
  endingVersion: T.Optional(T.Integer({ minimum: 0 })),
  maxFiles: T.Optional(T.Integer({ minimum: 1, maximum: 2_147_483_647 })),
  pageToken: T.Optional(T.String({ maxLength: 8192 })),
  includeRefreshToken: T.Optional(T.Boolean()),
  refreshToken: T.Optional(T.String({ maxLength: 8192 })),
  idempotencyKey: T.Optional(T.String({ maxLength: 1024 })),
  // the Scala client (delta-sharing-spark) spells the key as its protobuf field name
  idempotency_key: T.Optional(T.String({ maxLength: 1024 })),
  includeHistoricalProtocol: T.Optional(T.Boolean()),
});

export const QueryInfoParams = T.Object({
  share: name,
  schema: name,
  table: name,
  queryId: T.String({ minLength: 1, maxLength: 8192 }),
});

export const QueryInfoBody = T.Object({
  queryId: T.Optional(T.String({ maxLength: 8192 })),
  maxFiles: T.Optional(T.Integer({ minimum: 1, maximum: 2_147_483_647 })),
  pageToken: T.Optional(T.String({ maxLength: 8192 })),
});

export const TemporaryCredentialsBody = T.Object({
  location: T.Optional(T.String({ minLength: 1, maxLength: 2048 })),
});

/** A query-string flag: true or false in any case (the Python client sends "True"). */
const flag = T.String({ pattern: "^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$" });

export const ChangesQuery = queryString({
  startingVersion: T.Optional(T.Integer({ minimum: 0 })),
  startingTimestamp: T.Optional(T.String({ maxLength: 64 })),
  endingVersion: T.Optional(T.Integer({ minimum: 0 })),
  endingTimestamp: T.Optional(T.String({ maxLength: 64 })),
  includeHistoricalMetadata: T.Optional(flag),
  includeHistoricalProtocol: T.Optional(flag),
  maxFiles: T.Optional(T.Integer({ minimum: 1, maximum: 2_147_483_647 })),
  pageToken: T.Optional(T.String({ maxLength: 8192 })),
});

export type ShareParams = Static<typeof ShareParams>;
export type SchemaParams = Static<typeof SchemaParams>;
export type TableParams = Static<typeof TableParams>;
export type FileQuery = Static<typeof FileQuery>;
export type ListQuery = Static<typeof ListQuery>;
export type VersionQuery = Static<typeof VersionQuery>;
export type MetadataQuery = Static<typeof MetadataQuery>;
export type QueryBody = Static<typeof QueryBody>;
export type ChangesQuery = Static<typeof ChangesQuery>;
export type QueryInfoParams = Static<typeof QueryInfoParams>;
export type TemporaryCredentialsBody = Static<typeof TemporaryCredentialsBody>;
export type QueryInfoBody = Static<typeof QueryInfoBody>;
