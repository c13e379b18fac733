// The recipient's credential Secret: a `config.share` profile the official clients read as it is
// (shareCredentialsVersion, endpoint, bearerToken, expirationTime). The plain token exists only
// here; the server's configuration gets its hash. Its annotations are for people: the token's life
// is recorded in the recipient's status (credentialsRecord.ts), never read back from here.
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

/** The recipient's credential Secret holding one profile text (a token's, or a federated template). */
export function profileSecret(
  recipient: DeltaRecipient,
  profile: string,
  extraAnnotations?: Record<string, string>,
): V1Secret & { metadata: { name: string; namespace: string } } {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: ownedMetadata(
      recipient,
      credentialSecretName(recipient),
      credentialLabels(recipient.spec.serverRef.name),
      extraAnnotations,
    ),
    type: "Opaque",
    data: { [profileKey]: Buffer.from(profile).toString("base64") },
  };
}

export function renderCredentialSecret(
  recipient: DeltaRecipient,
  endpoint: string,
  credentials: Credentials,
): V1Secret & { metadata: { name: string; namespace: string } } {
  return profileSecret(recipient, renderProfile(endpoint, credentials), {
    [annotations.rotation]: String(credentials.rotation),
    [annotations.sha256]: tokenSha256(credentials.token),
  });
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
