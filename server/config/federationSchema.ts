// Federated recipients in the server's configuration: a recipient's federation policy (whose
// JWT access tokens it accepts) and the server-wide settings for fetching issuers' keys. Part of
// the configuration schema (schema.ts), kept apart so each file holds one idea.
import { type Static, Type as T } from "@sinclair/typebox";

const strict = { additionalProperties: false } as const;

// Asymmetric signatures only: a JWKS holds public keys, and an HMAC "verified" with a public key
// is forgeable by anyone who has it; `none` is never accepted.
export const federationAlgorithms = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
] as const;

export const FederationPolicyConfig = T.Object(
  {
    issuer: T.String({
      pattern: "^https?://[^\\s]+$",
      maxLength: 2048,
      description:
        "Trusted issuer, exactly as its tokens' iss claim; its keys are found through <issuer>/.well-known/openid-configuration. https, or http on loopback only.",
    }),
    jwksUri: T.Optional(
      T.String({
        pattern: "^https?://[^\\s]+$",
        maxLength: 2048,
        description: "The issuer's JWKS URL, when it publishes no discovery document.",
      }),
    ),
    audiences: T.Optional(
      T.Array(T.String({ minLength: 1, maxLength: 2048 }), {
        minItems: 1,
        description:
          "Accepted aud values (one must match); the aud claim is not checked when absent (Amazon Cognito access tokens carry none).",
      }),
    ),
    scopes: T.Optional(
      T.Array(T.String({ minLength: 1, maxLength: 512 }), {
        description: "Scopes the token must carry (scope or scp claim), all of them.",
      }),
    ),
    subjectClaim: T.String({
      minLength: 1,
      maxLength: 256,
      default: "sub",
      description: "The claim that identifies the recipient: sub, client_id, or another claim.",
    }),
    subject: T.String({
      minLength: 1,
      maxLength: 2048,
      description: "The value subjectClaim must hold (e.g. the recipient's OAuth client id).",
    }),
    algorithms: T.Optional(
      T.Array(T.Union(federationAlgorithms.map((alg) => T.Literal(alg))), {
        minItems: 1,
        description: "Accepted signature algorithms; every asymmetric one when absent.",
      }),
    ),
  },
  strict,
);

export const FederationConfig = T.Object(
  {
    keysCacheSeconds: T.Integer({
      minimum: 1,
      maximum: 86400,
      default: 600,
      description:
        "How long an issuer's fetched keys are used; past it, while the issuer cannot be reached, its tokens get 503.",
    }),
    refreshCooldownSeconds: T.Integer({
      minimum: 1,
      maximum: 3600,
      default: 30,
      description:
        "Least time before an issuer's keys are fetched again after a failed fetch, or for a token naming a key not yet known.",
    }),
    fetchTimeoutMs: T.Integer({ minimum: 100, maximum: 60_000, default: 5000 }),
    clockSkewSeconds: T.Integer({
      minimum: 0,
      maximum: 300,
      default: 30,
      description: "Tolerance for exp and nbf.",
    }),
  },
  strict,
);

export type FederationPolicyConfig = Static<typeof FederationPolicyConfig>;
export type FederationConfig = Static<typeof FederationConfig>;
