// The three custom resources: names, schemas and kubectl columns, and their TypeScript types,
// all from the TypeBox definitions beside this file.
import type { TSchema } from "@sinclair/typebox";
import type { Resource } from "../kube/objects.ts";
import { DeltaRecipientSpec, DeltaRecipientStatus } from "./deltaRecipient.ts";
import { DeltaShareSpec, DeltaShareStatus } from "./deltaShare.ts";
import { DeltaSharingServerSpec, DeltaSharingServerStatus } from "./deltaSharingServer.ts";
import { apiVersion } from "./group.ts";
import type { CelRule } from "./schemaHelpers.ts";

export interface PrinterColumn {
  name: string;
  type: "string" | "integer" | "date" | "boolean" | "number";
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface KindDefinition {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  description: string;
  spec: TSchema;
  status: TSchema;
  printerColumns: PrinterColumn[];
  /** CEL rules on the whole object (the only place metadata.name can be checked). */
  validations?: CelRule[];
}

const readyColumns: PrinterColumn[] = [
  { name: "Ready", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
  { name: "Reason", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].reason' },
];
const ageColumn: PrinterColumn = { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" };

export const serverKind = {
  kind: "DeltaSharingServer",
  plural: "deltasharingservers",
  singular: "deltasharingserver",
  shortNames: ["dss"],
  description: "A Delta Sharing server serving the DeltaShares and DeltaRecipients that name it.",
  validations: [
    {
      rule: "self.metadata.name.size() <= 56 && self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",
      message:
        "a DeltaSharingServer's name must be a DNS label of at most 56 characters: it names its Service and config Secret",
    },
  ],
  spec: DeltaSharingServerSpec,
  status: DeltaSharingServerStatus,
  printerColumns: [
    ...readyColumns,
    { name: "Endpoint", type: "string", jsonPath: ".status.endpoint" },
    { name: "Shares", type: "integer", jsonPath: ".status.shares", priority: 1 },
    { name: "Recipients", type: "integer", jsonPath: ".status.recipients", priority: 1 },
    ageColumn,
  ],
} satisfies KindDefinition;

export const shareKind = {
  kind: "DeltaShare",
  plural: "deltashares",
  singular: "deltashare",
  shortNames: ["dsh"],
  description: "A share's schemas and tables, served by the DeltaSharingServer its serverRef names.",
  spec: DeltaShareSpec,
  status: DeltaShareStatus,
  printerColumns: [
    { name: "Server", type: "string", jsonPath: ".spec.serverRef.name" },
    ...readyColumns,
    { name: "Tables", type: "integer", jsonPath: ".status.tables", priority: 1 },
    ageColumn,
  ],
} satisfies KindDefinition;

export const recipientKind = {
  kind: "DeltaRecipient",
  plural: "deltarecipients",
  singular: "deltarecipient",
  shortNames: ["drc"],
  description: "A recipient of shares, whose profile the operator writes to a Secret.",
  spec: DeltaRecipientSpec,
  status: DeltaRecipientStatus,
  printerColumns: [
    { name: "Server", type: "string", jsonPath: ".spec.serverRef.name" },
    ...readyColumns,
    { name: "Secret", type: "string", jsonPath: ".status.credentialSecretName" },
    { name: "Expires", type: "string", jsonPath: ".status.tokenExpiresAt" },
    ageColumn,
  ],
} satisfies KindDefinition;

export const allKinds: KindDefinition[] = [serverKind, shareKind, recipientKind];

export type DeltaSharingServer = Resource<DeltaSharingServerSpec, DeltaSharingServerStatus>;
export type DeltaShare = Resource<DeltaShareSpec, DeltaShareStatus>;
export type DeltaRecipient = Resource<DeltaRecipientSpec, DeltaRecipientStatus>;

export { apiVersion };
