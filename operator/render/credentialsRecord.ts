// The record of a recipient's credentials in its status, where only the operator writes: the
// current token's hash, rotation, issue time and expiry, and the previous token's hash and end of
// grace. Whoever may edit the credential Secret is not trusted with the token's life: the Secret's
// token is used only when its hash is the one recorded here.
import type { DeltaRecipientStatus } from "../api/deltaRecipient.ts";
import { type Credentials, tokenSha256 } from "./credentials.ts";

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
