// The recipient's credential Secret: a `config.share` profile the official clients read as it is
// (shareCredentialsVersion, endpoint, bearerToken, expirationTime). The plain token exists only
// here; the server's configuration gets its hash.
import type { V1Secret } from "@kubernetes/client-node";
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
  const previous = credentials.previous;
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: ownedMetadata(
      recipient,
      credentialSecretName(recipient),
      credentialLabels(recipient.spec.serverRef.name),
      {
        [annotations.rotation]: String(credentials.rotation),
        [annotations.issuedAt]: credentials.issuedAt,
        [annotations.sha256]: tokenSha256(credentials.token),
        ...(previous ? { [annotations.previousSha256]: previous.sha256 } : {}),
        ...(previous?.expiresAt ? { [annotations.previousExpiresAt]: previous.expiresAt } : {}),
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

/** The credentials a Secret holds, or undefined when it holds none the operator can use. */
export function readCredentials(secret: SecretLike | undefined): Credentials | undefined {
  const encoded = secret?.data?.[profileKey];
  if (encoded === undefined) return undefined;
  let profile: Partial<Profile>;
  try {
    profile = JSON.parse(Buffer.from(encoded, "base64").toString("utf8")) as Partial<Profile>;
  } catch {
    return undefined;
  }
  if (typeof profile.bearerToken !== "string" || profile.bearerToken.length < 32) return undefined;
  const notes = secret?.metadata?.annotations ?? {};
  const rotation = Number(notes[annotations.rotation]);
  const issuedAt = notes[annotations.issuedAt];
  if (
    !Number.isInteger(rotation) ||
    rotation < 0 ||
    issuedAt === undefined ||
    Number.isNaN(Date.parse(issuedAt))
  ) {
    return undefined;
  }
  const previousSha256 = notes[annotations.previousSha256];
  const previousExpiresAt = notes[annotations.previousExpiresAt];
  return {
    token: profile.bearerToken,
    rotation,
    issuedAt,
    ...(profile.expirationTime ? { expiresAt: profile.expirationTime } : {}),
    // a previous token is only ever kept with the end of its grace period
    ...(previousSha256 && /^[0-9a-f]{64}$/.test(previousSha256) && previousExpiresAt
      ? { previous: { sha256: previousSha256, expiresAt: previousExpiresAt } }
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
