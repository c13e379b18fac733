// DeltaRecipient: someone who reads shares, with a bearer token the operator makes and keeps in
// the recipient's credential Secret as a ready `config.share` profile, or, federated, with access
// tokens from their own identity provider (no token of ours; the Secret holds a profile template).
import { type Static, Type as T } from "@sinclair/typebox";
import { FederationPolicyConfig, federationAlgorithms } from "../../server/config/federationSchema.ts";
import { Conditions } from "./condition.ts";
import { sharingNamePattern } from "./deltaShare.ts";
import {
  cel,
  Duration,
  DurationOrNever,
  LocalObjectReference,
  listSetOptions,
  ObjectName,
  StringEnum,
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

const Activation = T.Object(
  {
    expiresIn: T.Optional(
      Duration({
        default: "72h",
        description: "How long an activation link works from when it is issued.",
      }),
    ),
    issue: T.Optional(
      T.Integer({
        minimum: 0,
        default: 0,
        description: "Raise it for a new link (a spent or expired one); a token rotation issues one too.",
      }),
    ),
  },
  {
    description:
      "Issue a one-time activation link for an outside recipient: it hands the profile out once (status.activation.url).",
  },
);

const ActivationStatus = T.Object(
  {
    url: T.String({ description: "The one-time link to send to the recipient." }),
    expiresAt: T.String({ format: "date-time" }),
    issue: T.Integer({ minimum: 0 }),
    tokenSha256: T.String({ pattern: "^[0-9a-f]{64}$", description: "The token the link hands out." }),
    codeSha256: T.String({ pattern: "^[0-9a-f]{64}$" }),
    sealedProfile: T.String({
      description: "The profile, sealed under the link's code (the server holds it).",
    }),
  },
  { description: "The current activation link; never the token." },
);

// the server's own policy fields, one definition; the profile fields are the operator's
const policy = FederationPolicyConfig.properties;

const Federation = T.Object(
  {
    issuer: policy.issuer,
    jwksUri: policy.jwksUri,
    audiences: T.Optional(T.Array(policy.audiences.items, { ...policy.audiences, maxItems: 16 })),
    scopes: T.Optional(T.Array(policy.scopes.items, { ...policy.scopes, maxItems: 32 })),
    subjectClaim: T.Optional(policy.subjectClaim),
    subject: policy.subject,
    algorithms: T.Optional(
      T.Array(StringEnum(federationAlgorithms), {
        ...policy.algorithms,
        maxItems: federationAlgorithms.length,
      }),
    ),
    tokenEndpoint: T.String({
      pattern: "^https?://[^\\s]+$",
      maxLength: 2048,
      description: "The identity provider's token endpoint, for the profile the recipient gets.",
    }),
    clientId: T.Optional(
      T.String({
        minLength: 1,
        maxLength: 2048,
        description: "The recipient's OAuth client id, for the profile; subject when absent.",
      }),
    ),
  },
  {
    description:
      "Authenticate with the recipient's own identity provider's JWT access tokens (OAuth 2.0 client credentials) instead of a token of ours.",
  },
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
    federation: T.Optional(Federation),
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
    activation: T.Optional(Activation),
  },
  cel(
    {
      rule: "!(has(self.federation) && has(self.token))",
      message: "a federated recipient gets no token of ours: set token or federation, not both",
      fieldPath: ".federation",
    },
    {
      rule: "!(has(self.federation) && has(self.activation))",
      message: "an activation link hands out a token of ours: a federated recipient has none",
      fieldPath: ".activation",
    },
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
  activation: T.Optional(ActivationStatus),
});

export type DeltaRecipientSpec = Static<typeof DeltaRecipientSpec>;
export type DeltaRecipientFederation = Static<typeof Federation>;
export type DeltaRecipientStatus = Static<typeof DeltaRecipientStatus>;
