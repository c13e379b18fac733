// The server's configuration file: the one definition of its shape. The TypeScript types, the
// start-up validation and the generated configuration reference all come from this schema.
// Compatible with the reference server's YAML (version, shares, host, port, endpoint,
// preSignedUrlTimeoutSeconds, authorization, ssl and its tuning keys), plus our own keys.
import { type Static, Type as T } from "@sinclair/typebox";
import { ActivationConfig, RecipientActivationConfig } from "./activationSchema.ts";
import { FederationConfig, FederationPolicyConfig } from "./federationSchema.ts";
import { LimitsConfig } from "./limitsSchema.ts";
import { OpsConfig } from "./opsSchema.ts";

export type { ActivationConfig, RecipientActivationConfig } from "./activationSchema.ts";
export {
  AuthFailureLimitConfig,
  LimitsConfig,
  RateLimitConfig,
} from "./limitsSchema.ts";

const strict = { additionalProperties: false } as const;

// Protocol "Names": at most 255 characters, no space, slash or control characters; schema and
// table names also no period.
const namePattern = "^[^\\s/\\x00-\\x1f\\x7f]{1,255}$";
export const dotlessNamePattern = "^[^\\s/.\\x00-\\x1f\\x7f]{1,255}$";

export const TableConfig = T.Object(
  {
    name: T.String({ pattern: dotlessNamePattern, description: "Table name recipients see." }),
    location: T.String({
      minLength: 1,
      description: "Table root: s3://bucket/path, s3a://bucket/path, file:///path or a local path.",
    }),
    extraRoots: T.Optional(
      T.Array(T.String({ minLength: 1 }), {
        description: "Other locations (as location) whose files the log may name by absolute path (clones).",
      }),
    ),
    id: T.Optional(
      T.String({
        minLength: 1,
        maxLength: 255,
        description: "Table id; derived from the names when absent.",
      }),
    ),
    historyShared: T.Optional(
      T.Boolean({ default: false, description: "Share history: time travel, changes, streaming." }),
    ),
    startVersion: T.Optional(
      T.Integer({ minimum: 0, default: 0, description: "History before this version is not shared." }),
    ),
    directoryAccess: T.Optional(
      T.Boolean({
        default: false,
        description:
          "Offer directory access (temporary credentials for the table's S3 prefix) to recipients allowed it.",
      }),
    ),
    partitionFilter: T.Optional(
      T.String({
        minLength: 1,
        maxLength: 4096,
        description:
          "Partitions recipients may see (see Partition filters), e.g. country = CURRENT_RECIPIENT('country').",
      }),
    ),
    comment: T.Optional(T.String({ maxLength: 65536 })),
  },
  strict,
);

export const SchemaConfig = T.Object(
  {
    name: T.String({ pattern: dotlessNamePattern }),
    tables: T.Array(TableConfig, { default: [] }),
    location: T.Optional(
      T.String({
        minLength: 1,
        description:
          "A prefix (as tables' location) whose Delta tables (folders with _delta_log/) are all shared, " +
          "under their folder names, including tables created later.",
      }),
    ),
    historyShared: T.Optional(
      T.Boolean({ default: false, description: "historyShared of the tables found under location." }),
    ),
    partitionFilter: T.Optional(
      T.String({
        minLength: 1,
        maxLength: 4096,
        description: "partitionFilter of the tables found under location.",
      }),
    ),
  },
  strict,
);

/** Share properties within the limits PROTOCOL.md sets (clients may truncate beyond them). */
export const ShareProperties = T.Record(
  T.String({ pattern: "^[\\s\\S]{1,255}$" }),
  T.String({ maxLength: 1000 }),
  {
    maxProperties: 50,
    additionalProperties: false,
    description:
      "Key/value properties recipients see on the share: at most 50, keys ≤ 255, values ≤ 1000 characters.",
  },
);

export const ShareConfig = T.Object(
  {
    name: T.String({ pattern: namePattern }),
    id: T.Optional(T.String({ minLength: 1, maxLength: 255 })),
    displayName: T.Optional(
      T.String({
        minLength: 1,
        maxLength: 255,
        description: "The share's name as recipients' tools display it.",
      }),
    ),
    comment: T.Optional(T.String({ maxLength: 65536 })),
    properties: T.Optional(ShareProperties),
    schemas: T.Array(SchemaConfig, { default: [] }),
  },
  strict,
);

export const AuthorizationConfig = T.Object(
  {
    bearerToken: T.String({
      minLength: 1,
      description: "One token for every share (reference-server style).",
    }),
  },
  strict,
);

export const RecipientTokenConfig = T.Object(
  {
    sha256: T.String({
      pattern: "^[0-9a-f]{64}$",
      description: "Hex SHA-256 of the bearer token; the token itself is never stored.",
    }),
    expiresAt: T.Optional(
      T.String({
        format: "date-time",
        description: "When the token stops working (RFC 3339); never when absent.",
      }),
    ),
  },
  strict,
);

export const RecipientConfig = T.Object(
  {
    name: T.String({
      pattern: namePattern,
      description: "Recipient name, as audit events and metrics show it.",
    }),
    tokens: T.Array(RecipientTokenConfig, {
      default: [],
      description:
        "Valid tokens; two during a rotation's grace window. May be empty with a federation policy.",
    }),
    federation: T.Optional(FederationPolicyConfig),
    shares: T.Array(T.String({ pattern: namePattern }), {
      default: [],
      description: "Names of the shares granted.",
    }),
    allowedIpRanges: T.Optional(
      T.Array(T.String({ minLength: 2, maxLength: 64 }), {
        description: "IPv4/IPv6 CIDRs the recipient may connect from; any address when absent.",
      }),
    ),
    directoryAccess: T.Optional(
      T.Boolean({
        default: false,
        description: "May ask for temporary credentials of tables that offer directory access.",
      }),
    ),
    properties: T.Optional(
      T.Record(T.String(), T.String(), {
        description: "Free properties; partition filters read them as CURRENT_RECIPIENT('name').",
      }),
    ),
    activation: T.Optional(RecipientActivationConfig),
  },
  strict,
);

export const SslConfig = T.Object(
  {
    certificateFile: T.String({ minLength: 1 }),
    certificateKeyFile: T.String({ minLength: 1 }),
    certificatePasswordFile: T.Optional(T.String({ minLength: 1 })),
  },
  strict,
);

export const S3Config = T.Object(
  {
    region: T.Optional(T.String({ minLength: 1, description: "Region; else the SDK's chain (AWS_REGION)." })),
    endpoint: T.Optional(
      T.String({
        pattern: "^https?://",
        description: "Custom S3 endpoint, used for reads AND presigned URLs.",
      }),
    ),
    forcePathStyle: T.Optional(
      T.Boolean({ description: "Path-style URLs (needed by most non-AWS S3 servers)." }),
    ),
  },
  strict,
);

/** Temporary table credentials (directory access): the role the server assumes for recipients. */
export const DirectoryAccessConfig = T.Object(
  {
    readerRoleArn: T.String({
      pattern: "^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\\w+=,.@/-]{1,512}$",
      description: "Role assumed (chained from the server's own) for credentials, narrowed to one table.",
    }),
    sessionSeconds: T.Integer({
      minimum: 900,
      maximum: 3600,
      default: 3600,
      description: "Lifetime of issued credentials; STS caps chained role sessions at 3600 s.",
    }),
    region: T.Optional(
      T.String({ minLength: 1, description: "STS region; else s3.region, else AWS_REGION." }),
    ),
    stsEndpoint: T.Optional(
      T.String({
        pattern: "^https?://",
        description: "Custom STS endpoint (a VPC endpoint, a test server).",
      }),
    ),
  },
  strict,
);

export const AuditConfig = T.Object(
  {
    destination: T.Union([T.Literal("stdout"), T.Literal("stderr"), T.Literal("file")], {
      default: "stdout",
      description: "Where audit events go: one JSON line per data request.",
    }),
    file: T.Optional(T.String({ minLength: 1, description: "The audit file, for destination: file." })),
  },
  strict,
);

export const ServerConfig = T.Object(
  {
    version: T.Literal(1, { description: "Configuration format version; must be 1." }),
    shares: T.Array(ShareConfig, { default: [] }),
    authorization: T.Optional(AuthorizationConfig),
    recipients: T.Optional(T.Array(RecipientConfig)),
    allowAnonymous: T.Optional(
      T.Boolean({
        description:
          "Serve every share without a token. Only when neither authorization nor recipients is set.",
      }),
    ),
    trustedProxies: T.Optional(
      T.Array(T.String({ minLength: 2, maxLength: 64 }), {
        description: "CIDRs of proxies whose X-Forwarded-For names the client; the socket address otherwise.",
      }),
    ),
    ssl: T.Optional(SslConfig),
    host: T.String({ minLength: 1, default: "127.0.0.1" }),
    port: T.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
    endpoint: T.String({ pattern: "^/[A-Za-z0-9_\\-./]*$", default: "/delta-sharing" }),
    publicUrl: T.Optional(
      T.String({
        pattern: "^https?://",
        description:
          "Base URL recipients reach this server at, for URLs of locally served files; the listening address when absent.",
      }),
    ),
    preSignedUrlTimeoutSeconds: T.Integer({ minimum: 1, maximum: 604800, default: 3600 }),
    preSignedUrlReuse: T.Optional(
      T.Object(
        {
          minLifetimeShare: T.Number({
            minimum: 0,
            maximum: 1,
            default: 0.5,
            description:
              "A presigned URL is handed out again while at least this share of its lifetime remains; 1 never reuses.",
          }),
          maxBytes: T.Integer({
            minimum: 0,
            maximum: 1024 * 1024 * 1024,
            default: 32 * 1024 * 1024,
            description: "Memory the reusable URLs may take; 0 turns reuse off.",
          }),
        },
        strict,
      ),
    ),
    requestTimeoutSeconds: T.Integer({
      minimum: 0,
      maximum: 86400,
      default: 30,
      description:
        "Longest wait for a response to begin (503 after; 408 while the request body is still arriving); 0 for none.",
    }),
    configReloadIntervalSeconds: T.Integer({
      minimum: 0,
      maximum: 3600,
      default: 5,
      description:
        "How often the configuration file is checked for changes besides file events; 0 for never.",
    }),
    queryTablePageSizeLimit: T.Integer({ minimum: 1, maximum: 1_000_000, default: 10_000 }),
    queryTablePageTokenTtlMs: T.Integer({ minimum: 1000, default: 259_200_000 }),
    refreshTokenTtlMs: T.Integer({ minimum: 1000, default: 3_600_000 }),
    asyncQueryTtlMs: T.Integer({
      minimum: 1000,
      default: 3_600_000,
      description:
        "How long an asynchronous query's id answers polls: at least this long, at most twice as long.",
    }),
    deltaTableCacheSize: T.Integer({ minimum: 1, maximum: 100_000, default: 100 }),
    stalenessAcceptable: T.Boolean({ default: false }),
    evaluatePredicateHints: T.Boolean({ default: true }),
    evaluateJsonPredicateHints: T.Boolean({ default: true }),
    evaluateJsonPredicateHintsV2: T.Boolean({ default: true }),
    signingKeyFile: T.Optional(
      T.String({
        minLength: 1,
        description: "File with the key that signs page tokens and local file URLs; shared by all replicas.",
      }),
    ),
    logLevel: T.Union(
      ["fatal", "error", "warn", "info", "debug", "trace", "silent"].map((level) => T.Literal(level)),
      { default: "info" },
    ),
    s3: T.Optional(S3Config),
    directoryAccess: T.Optional(DirectoryAccessConfig),
    limits: T.Optional(LimitsConfig),
    audit: T.Optional(AuditConfig),
    ops: T.Optional(OpsConfig),
    activation: T.Optional(ActivationConfig),
    federation: T.Optional(FederationConfig),
  },
  strict,
);

export type TableConfig = Static<typeof TableConfig>;
export type SchemaConfig = Static<typeof SchemaConfig>;
export type ShareConfig = Static<typeof ShareConfig>;
export type S3Config = Static<typeof S3Config>;
export type DirectoryAccessConfig = Static<typeof DirectoryAccessConfig>;
export type RecipientConfig = Static<typeof RecipientConfig>;
export type AuditConfig = Static<typeof AuditConfig>;
export type ServerConfig = Static<typeof ServerConfig>;
