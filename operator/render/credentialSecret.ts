// The recipient's credential Secret: a `config.share` profile the official clients read as it is
// (shareCredentialsVersion, endpoint, bearerToken, expirationTime). The plain token exists only
// here; the server's configuration gets its hash. Whoever may edit the Secret is not trusted with
// the token's life: that is kept in the recipient's status, and the Secret's token is used only
// when its hash is the one the status records.
import type { V1Secret } from "@kubernetes/client-node";
import type { DeltaRecipientStatus } from "../api/deltaRecipient.ts";
import type { DeltaRecipient } from "../api/kinds.ts";
import { annotations, type Credentials, tokenSha256 } from "./credentials.ts";
import { credentialLabels, credentialSecretName } from "./names.ts";
import { ownedMetadata } from "./ownerReference.ts";

export const profileKey = "config.share";

export interface Profile {
  shareCredentialsVersion: 1;
  endpoint: string;
  bearerToken: string;
  expirationTime?: string;
}

export function renderProfile(endpoint: string, credentials: Credentials): string {
  const profile: Profile = {
    shareCredentialsVersion: 1,
    endpoint,
    bearerToken: credentials.token,
    ...(credentials.expiresAt ? { expirationTime: credentials.expiresAt } : {}),
  };
  return `${JSON.stringify(profile, null, 2)}\n`;
}

export function renderCredentialSecret(
  recipient: DeltaRecipient,
  endpoint: string,
  credentials: Credentials,
): V1Secret & { metadata: { name: string; namespace: string } } {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: ownedMetadata(
      recipient,
      credentialSecretName(recipient),
      credentialLabels(recipient.spec.serverRef.name),
      {
        [annotations.rotation]: String(credentials.rotation),
        [annotations.sha256]: tokenSha256(credentials.token),
      },
    ),
    type: "Opaque",
    data: { [profileKey]: Buffer.from(renderProfile(endpoint, credentials)).toString("base64") },
  };
}

export interface SecretLike {
  metadata?: { annotations?: Record<string, string> };
  data?: Record<string, string>;
}

/** The bearer token of the Secret's profile, if it holds a plausible one. */
export function profileTokenOf(secret: SecretLike | undefined): string | undefined {
  const encoded = secret?.data?.[profileKey];
  if (encoded === undefined) return undefined;
  try {
    const token = (JSON.parse(Buffer.from(encoded, "base64").toString("utf8")) as Partial<Profile>)
      .bearerToken;
    return typeof token === "string" && token.length >= 32 ? token : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The credentials as the operator recorded them in the recipient's status, with the plain token
 * from the Secret when (and only when) it is the recorded one; undefined otherwise.
 */
export function readCredentials(
  token: string | undefined,
  status: DeltaRecipientStatus | undefined,
): Credentials | undefined {
  if (token === undefined || status?.tokenSha256 === undefined || tokenSha256(token) !== status.tokenSha256)
    return undefined;
  const { tokenRotation: rotation, tokenIssuedAt: issuedAt } = status;
  if (rotation === undefined || issuedAt === undefined) return undefined;
  const previous =
    status.previousTokenSha256 !== undefined && status.previousTokenExpiresAt !== undefined
      ? { sha256: status.previousTokenSha256, expiresAt: status.previousTokenExpiresAt }
      : undefined;
  return {
    token,
    rotation,
    issuedAt,
    ...(status.tokenExpiresAt !== undefined ? { expiresAt: status.tokenExpiresAt } : {}),
    ...(previous ? { previous } : {}),
  };
}

const credentialFields = [
  "tokenRotation",
  "tokenSha256",
  "tokenIssuedAt",
  "tokenExpiresAt",
  "previousTokenSha256",
  "previousTokenExpiresAt",
] as const;

/** The status fields that record the credentials' life, as a status holds them. */
export function recordedCredentials(status: DeltaRecipientStatus | undefined): DeltaRecipientStatus {
  return Object.fromEntries(
    credentialFields.flatMap((key) => (status?.[key] === undefined ? [] : [[key, status[key]]])),
  );
}

/** A status with its record of the credentials replaced by these credentials'. */
export function withCredentials(
  status: DeltaRecipientStatus | undefined,
  credentials: Credentials,
): DeltaRecipientStatus {
  const rest = Object.fromEntries(
    Object.entries(status ?? {}).filter(([key]) => !(credentialFields as readonly string[]).includes(key)),
  );
  return { ...rest, ...credentialsStatus(credentials) };
}

/** The status fields that record the credentials' life. */
export function credentialsStatus(credentials: Credentials): DeltaRecipientStatus {
  return {
    tokenRotation: credentials.rotation,
    tokenSha256: tokenSha256(credentials.token),
    tokenIssuedAt: credentials.issuedAt,
    ...(credentials.expiresAt !== undefined ? { tokenExpiresAt: credentials.expiresAt } : {}),
    ...(credentials.previous !== undefined
      ? {
          previousTokenSha256: credentials.previous.sha256,
          ...(credentials.previous.expiresAt !== undefined
            ? { previousTokenExpiresAt: credentials.previous.expiresAt }
            : {}),
        }
      : {}),
  };
}

/** The endpoint the Secret's profile names, to notice when the server's address changed. */
export function profileEndpointOf(secret: SecretLike | undefined): string | undefined {
  const encoded = secret?.data?.[profileKey];
  if (encoded === undefined) return undefined;
  try {
    return (JSON.parse(Buffer.from(encoded, "base64").toString("utf8")) as Partial<Profile>).endpoint;
  } catch {
    return undefined;
  }
}
