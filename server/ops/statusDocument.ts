// The status document the ops port answers at /status (and /readyz): the one definition of the
// channel from a server pod to the operator. Readers ignore keys they do not know; later features
// add top-level keys and never rename these.
import { type Static, Type as T } from "@sinclair/typebox";
import { issuerStates } from "../auth/issuerKeys.ts";

export const statusApiVersion = "ops.delta-sharing-operator.dev/v1";

const time = T.String({ format: "date-time", description: "RFC 3339." });

export const LoadedConfig = T.Object({
  sha256: T.String({
    pattern: "^[0-9a-f]{64}$",
    description: "Hex SHA-256 of the configuration file's bytes as loaded: which generation the pod serves.",
  }),
  loadedAt: time,
  shares: T.Integer({ minimum: 0 }),
  recipients: T.Integer({ minimum: 0 }),
});

export const StorageHealth = T.Object({
  root: T.String({ description: "A storage root: s3://bucket, or a local table folder." }),
  ok: T.Boolean({ description: "The root answered without error." }),
  error: T.Union([T.String(), T.Null()]),
});

export const tableStates = ["ok", "notFound", "unreadable", "pending"] as const;

export const TableHealth = T.Object({
  share: T.String(),
  schema: T.String(),
  table: T.String(),
  location: T.String(),
  state: T.Union(tableStates.map((state) => T.Literal(state))),
  version: T.Union([T.Integer({ minimum: 0 }), T.Null()], { description: "The latest version read." }),
  message: T.Union([T.String(), T.Null()]),
  checkedAt: T.Union([time, T.Null()], { description: "null while the first probe is pending." }),
});

export const FilterHealth = T.Object({
  share: T.String(),
  schema: T.String(),
  table: T.String(),
  filter: T.String({ description: "The table's partition filter as configured." }),
  ok: T.Boolean({ description: "Every column it names is a partition column at the latest version." }),
  message: T.Union([T.String(), T.Null()], { description: "Why requests for the table fail closed." }),
  checkedAt: time,
});

export const DiscoveredSchema = T.Object({
  share: T.String(),
  schema: T.String(),
  location: T.String({ description: "The prefix listed." }),
  tables: T.Array(T.String(), { description: "Tables found under it (folders with _delta_log/)." }),
  checkedAt: T.Union([time, T.Null()], { description: "null until first listed." }),
  error: T.Union([T.String(), T.Null()], { description: "Why the last listing failed." }),
});

export const IssuerHealth = T.Object({
  issuer: T.String({ description: "A trusted token issuer, as recipients' federation policies name it." }),
  jwksUri: T.Union([T.String(), T.Null()], {
    description: "Where its keys come from; null until discovered.",
  }),
  state: T.Union(
    issuerStates.map((state) => T.Literal(state)),
    {
      description:
        "pending: no fetch finished yet; ok: keys fresh; degraded: keys fresh, the last refetch failed; unavailable: no usable keys (its tokens get 503).",
    },
  ),
  keys: T.Integer({ minimum: 0, description: "Keys usable now." }),
  fetchedAt: T.Union([time, T.Null()]),
  keysExpireAt: T.Union([time, T.Null()], { description: "When the fetched keys stop being used." }),
  error: T.Union([T.String(), T.Null()], { description: "Why the last fetch failed." }),
  checkedAt: T.Union([time, T.Null()], { description: "The last fetch attempt." }),
});

export const StatusDocument = T.Object(
  {
    apiVersion: T.Literal(statusApiVersion),
    ready: T.Boolean({
      description: "Every storage root is reachable; a missing or unreadable table does not make it false.",
    }),
    config: LoadedConfig,
    storage: T.Array(StorageHealth),
    tables: T.Array(TableHealth),
    discovered: T.Optional(
      T.Array(DiscoveredSchema, { description: "Whole-schema shares and their tables." }),
    ),
    filters: T.Optional(
      T.Array(FilterHealth, { description: "Tables with a partition filter, checked when probed." }),
    ),
    issuers: T.Optional(
      T.Array(IssuerHealth, {
        description: "Token issuers of federated recipients; an unavailable one does not make ready false.",
      }),
    ),
  },
  { additionalProperties: true },
);

export type LoadedConfig = Static<typeof LoadedConfig>;
export type StorageHealth = Static<typeof StorageHealth>;
export type TableHealth = Static<typeof TableHealth>;
export type FilterHealth = Static<typeof FilterHealth>;
export type DiscoveredSchema = Static<typeof DiscoveredSchema>;
export type TableState = (typeof tableStates)[number];
export type IssuerHealth = Static<typeof IssuerHealth>;
export type StatusDocument = Static<typeof StatusDocument>;
