// DeltaShare: a share's schemas and tables, served by the DeltaSharingServer its serverRef names.
import { type Static, Type as T } from "@sinclair/typebox";
import { Conditions } from "./condition.ts";
import { cel, LocalObjectReference, listMapOptions, StringMap } from "./schemaHelpers.ts";

// Protocol names: no whitespace, slash or control characters; schema and table names also no
// period (the server's config schema states the same).
export const sharingNamePattern = "^[^\\s/\\x00-\\x1f\\x7f]{1,255}$";
export const dotlessNamePattern = "^[^\\s/.\\x00-\\x1f\\x7f]{1,255}$";

// a shape check only (the operator parses filters fully). A pattern, not CEL: a CEL rule over up to
// 10,000 tables' filters exceeds the API server's cost budget at any useful length.
const partitionFilterShape = '^[ (]*[A-Za-z_`][^;"]*([=<>]|[ )`](?i:in|is|like)[ (])[^;"]*$';

const s3Location = (description: string) =>
  T.String({
    minLength: 1,
    maxLength: 2048,
    description,
    ...cel({
      rule: "self.startsWith('s3://') || self.startsWith('s3a://')",
      message: "location must be an s3:// or s3a:// URI",
    }),
  });

const SharedTable = T.Object({
  name: T.String({ maxLength: 255, pattern: dotlessNamePattern, description: "Table name recipients see." }),
  location: s3Location("Table root in S3: s3://bucket/path (s3a:// also accepted)."),
  extraRoots: T.Optional(
    T.Array(
      s3Location("Another S3 location (as location) whose files the table's log names by absolute path."),
      {
        maxItems: 16,
        description:
          "Locations outside the table root that its log names files under (shallow clones): served, and nowhere else.",
      },
    ),
  ),
  history: T.Optional(
    T.Boolean({ default: false, description: "Share the table's history: time travel, changes, streaming." }),
  ),
  startVersion: T.Optional(
    T.Integer({ minimum: 0, description: "History before this version is not shared." }),
  ),
  partitionFilter: T.Optional(
    T.String({
      minLength: 1,
      maxLength: 4096,
      description:
        "Partitions recipients may see, e.g. country = CURRENT_RECIPIENT('country') (README: Partition filters). " +
        "Columns are checked by the server against the table's log and reported in status.",
      pattern: partitionFilterShape,
    }),
  ),
  directoryAccess: T.Optional(
    T.Boolean({
      default: false,
      description:
        "Offer temporary credentials for the table's S3 prefix to DeltaRecipients allowed directory access (needs history, no startVersion).",
    }),
  ),
  comment: T.Optional(T.String({ maxLength: 4096 })),
});

const SharedSchema = T.Object(
  {
    name: T.String({ maxLength: 255, pattern: dotlessNamePattern }),
    tables: T.Optional(
      T.Array(SharedTable, {
        minItems: 1,
        maxItems: 200,
        // exact repeats are refused by the list-map key; repeats differing only in case (the protocol
        // matches names ignoring case) are reported in status: a CEL rule comparing every pair costs
        // more than the API server's budget allows
        ...listMapOptions("name"),
      }),
    ),
    location: T.Optional(
      T.String({
        minLength: 1,
        maxLength: 2048,
        pattern: "^s3a?://",
        description:
          "Share every Delta table under this S3 prefix (folders with _delta_log/) under its folder name, " +
          "including tables created later; found tables are listed in status.discovered.",
      }),
    ),
    history: T.Optional(T.Boolean({ description: "history of the tables found under location." })),
    partitionFilter: T.Optional(
      T.String({
        minLength: 1,
        maxLength: 4096,
        pattern: partitionFilterShape,
        description: "partitionFilter of the tables found under location.",
      }),
    ),
  },
  cel({ rule: "has(self.tables) || has(self.location)", message: "a schema needs tables or a location" }),
);

export const DeltaShareSpec = T.Object({
  serverRef: LocalObjectReference("The DeltaSharingServer that serves this share."),
  shareName: T.Optional(
    T.String({
      maxLength: 255,
      pattern: sharingNamePattern,
      description: "Share name recipients see and DeltaRecipients grant; metadata.name when absent.",
    }),
  ),
  displayName: T.Optional(
    T.String({
      minLength: 1,
      maxLength: 255,
      description: "The share's name as recipients' tools display it.",
    }),
  ),
  comment: T.Optional(T.String({ maxLength: 4096 })),
  properties: T.Optional(
    StringMap({
      maxProperties: 50,
      description:
        "Key/value properties recipients see on the share: keys up to 255, values up to 1000 characters.",
      ...cel({
        rule: "self.all(k, size(k) <= 255 && size(self[k]) <= 1000)",
        message: "property keys must be at most 255 and values at most 1000 characters",
      }),
    }),
  ),
  schemas: T.Array(SharedSchema, {
    minItems: 1,
    maxItems: 50,
    ...listMapOptions("name"),
  }),
});

export const DeltaShareStatus = T.Object({
  observedGeneration: T.Optional(T.Integer({ minimum: 0 })),
  conditions: T.Optional(Conditions),
  shareName: T.Optional(T.String({ description: "The name recipients see." })),
  tables: T.Optional(T.Integer({ minimum: 0, description: "Tables served." })),
  discovered: T.Optional(
    T.Array(
      T.Object({
        schema: T.String(),
        location: T.String(),
        tables: T.Array(T.String()),
        error: T.Optional(T.String()),
      }),
      { description: "Whole-schema shares: the tables the server found under each location." },
    ),
  ),
});

export type DeltaShareSpec = Static<typeof DeltaShareSpec>;
export type DeltaShareStatus = Static<typeof DeltaShareStatus>;
export type SharedTableSpec = Static<typeof SharedTable>;
export type SharedSchemaSpec = Static<typeof SharedSchema>;
