// The configuration keys of one-time activation links (part of schema.ts's one definition, kept
// apart for size): the server-wide settings, and a recipient's pending link.
import { type Static, Type as T } from "@sinclair/typebox";

const strict = { additionalProperties: false } as const;

export const RecipientActivationConfig = T.Object(
  {
    codeSha256: T.String({
      pattern: "^[0-9a-f]{64}$",
      description: "Hex SHA-256 of the activation link's code; the code itself is never stored.",
    }),
    expiresAt: T.String({ format: "date-time", description: "When the link stops working (RFC 3339)." }),
    sealedProfile: T.String({
      pattern: "^[A-Za-z0-9_-]{40,16384}$",
      description: "The .share profile, AES-256-GCM under a key derived (HKDF) from the code; base64url.",
    }),
  },
  strict,
);

export const ActivationConfig = T.Object(
  {
    contact: T.Optional(
      T.String({
        minLength: 1,
        maxLength: 256,
        description:
          "Whom a recipient with a spent or expired activation link should ask (shown on the page).",
      }),
    ),
    leaseNamespace: T.Optional(
      T.String({
        pattern: "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$",
        description:
          "Namespace of the Leases that spend activation codes; when absent, the pod's own (or the kubeconfig context's, with kubeconfigFile).",
      }),
    ),
    kubeconfigFile: T.Optional(
      T.String({
        minLength: 1,
        description: "Kubeconfig for the Lease store; the pod's service account when absent.",
      }),
    ),
  },
  strict,
);

export type RecipientActivationConfig = Static<typeof RecipientActivationConfig>;
export type ActivationConfig = Static<typeof ActivationConfig>;
