// DeltaRecipient: someone who reads shares, with a bearer token the operator makes and keeps in
// the recipient's credential Secret as a ready `config.share` profile.
import { type Static, Type as T } from "@sinclair/typebox";
import { Conditions } from "./condition.ts";
import { sharingNamePattern } from "./deltaShare.ts";
import {
  cel,
  Duration,
  DurationOrNever,
  LocalObjectReference,
  listSetOptions,
  ObjectName,
  StringMap,
} from "./schemaHelpers.ts";

export const recipientDefaults = {
  rotation: 0,
  gracePeriod: "24h",
} as const;

const Token = T.Object(
  {
    lifetime: T.Optional(
      DurationOrNever({
        description:
          "How long a token is valid from when it is made (e.g. 90d), or 'never'; the server's spec.tokens.defaultLifetime (90d) when absent.",
      }),
    ),
    rotation: T.Optional(
      T.Integer({
        minimum: 0,
        default: recipientDefaults.rotation,
        description: "Raise it to make a new token; the old one stays valid for gracePeriod.",
        ...cel({ rule: "self >= oldSelf", message: "token.rotation can only increase" }),
      }),
    ),
    gracePeriod: T.Optional(
      Duration({
        default: recipientDefaults.gracePeriod,
        description:
          "How long the previous token keeps working after a rotation, or after a deleted profile Secret was made anew.",
      }),
    ),
    revokePrevious: T.Optional(
      T.Boolean({
        description:
          "The previous token stops working at once: no grace period after a rotation or a re-made profile. For a leaked token: set it and raise rotation.",
      }),
    ),
  },
  { description: "The recipient's bearer token." },
);

export const DeltaRecipientSpec = T.Object(
  {
    serverRef: LocalObjectReference("The DeltaSharingServer this recipient reads from."),
    shares: T.Array(T.String({ maxLength: 255, pattern: sharingNamePattern }), {
      maxItems: 256,
      description: "Names of the shares granted (a DeltaShare's shareName, or its metadata.name).",
      ...listSetOptions(),
    }),
    token: T.Optional(Token),
    allowedIpRanges: T.Optional(
      T.Array(T.String({ maxLength: 64 }), {
        maxItems: 256,
        description: "IPv4/IPv6 CIDRs the recipient may connect from; any address when absent.",
        ...listSetOptions(),
        ...cel({
          rule: "self.all(range, isCIDR(range))",
          message: "every allowedIpRanges entry must be a CIDR",
        }),
      }),
    ),
    credentialSecretName: T.Optional(
      ObjectName({
        description: "Secret that receives the profile (config.share); <name>-share-profile when absent.",
      }),
    ),
    directoryAccess: T.Optional(
      T.Boolean({
        default: false,
        description: "May ask for temporary credentials of tables that offer directory access.",
      }),
    ),
    properties: T.Optional(StringMap({ description: "Free properties, passed to the server's config." })),
  },
  cel(
    {
      rule: "self.serverRef == oldSelf.serverRef",
      message: "serverRef is immutable",
      fieldPath: ".serverRef",
    },
    {
      rule: "has(self.credentialSecretName) == has(oldSelf.credentialSecretName) && (!has(self.credentialSecretName) || self.credentialSecretName == oldSelf.credentialSecretName)",
      message: "credentialSecretName is immutable",
      fieldPath: ".credentialSecretName",
    },
  ),
);

export const DeltaRecipientStatus = T.Object({
  observedGeneration: T.Optional(T.Integer({ minimum: 0 })),
  conditions: T.Optional(Conditions),
  credentialSecretName: T.Optional(T.String()),
  endpoint: T.Optional(T.String({ description: "The endpoint the profile names." })),
  tokenRotation: T.Optional(
    T.Integer({ minimum: 0, description: "The rotation the current token was made for." }),
  ),
  tokenSha256: T.Optional(
    T.String({
      pattern: "^[0-9a-f]{64}$",
      description:
        "SHA-256 of the current token. The operator keeps the token's life here, where only it writes, and trusts a token in the credential Secret only when it matches; a deleted Secret's token keeps its grace period by it.",
    }),
  ),
  tokenIssuedAt: T.Optional(
    T.String({ format: "date-time", description: "When the current token was made." }),
  ),
  tokenExpiresAt: T.Optional(
    T.String({ format: "date-time", description: "When the current token expires." }),
  ),
  previousTokenSha256: T.Optional(
    T.String({
      pattern: "^[0-9a-f]{64}$",
      description: "SHA-256 of the previous token, during its grace period.",
    }),
  ),
  previousTokenExpiresAt: T.Optional(
    T.String({ format: "date-time", description: "When the previous token stops working (rotation grace)." }),
  ),
});

export type DeltaRecipientSpec = Static<typeof DeltaRecipientSpec>;
export type DeltaRecipientStatus = Static<typeof DeltaRecipientStatus>;
