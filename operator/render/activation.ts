// A recipient's one-time activation link (spec.activation): issued once for the current token and
// kept in the recipient's status (the link, its expiry, and the code's hash and sealed profile the
// server's configuration carries), so every reconcile renders the same entry. A new token (a
// rotation, a re-made Secret) or a raised spec.activation.issue issues a new link; nothing else
// does, and an expired link stays shown until then, so the provider sees why it no longer works.
import type { IssuedActivation } from "../../server/auth/activationSeal.ts";
import type { RecipientActivationConfig } from "../../server/config/schema.ts";
import type { DeltaRecipientSpec, DeltaRecipientStatus } from "../api/deltaRecipient.ts";
import { rfc3339 } from "./conditions.ts";
import { type Credentials, tokenSha256 } from "./credentials.ts";
import { parseDuration } from "./duration.ts";

export type ActivationStatus = NonNullable<DeltaRecipientStatus["activation"]>;

/** Seals a profile for a recipient under a fresh code (sealActivation, or a test's stand-in). */
export type Sealer = (recipient: string, profile: object, expiresAt: Date) => IssuedActivation;

export const activationDefaults = { expiresIn: "72h", issue: 0 } as const;

export function planActivation(
  recipient: string,
  spec: DeltaRecipientSpec["activation"],
  current: ActivationStatus | undefined,
  credentials: Credentials,
  profile: object,
  endpoint: string,
  now: Date,
  seal: Sealer,
): ActivationStatus | undefined {
  if (spec === undefined) return undefined;
  const issue = spec.issue ?? activationDefaults.issue;
  const token = tokenSha256(credentials.token);
  if (current !== undefined && current.tokenSha256 === token && current.issue === issue) return current;
  const expiresAt = new Date(now.getTime() + parseDuration(spec.expiresIn ?? activationDefaults.expiresIn));
  const issued = seal(recipient, profile, expiresAt);
  return {
    url: `${endpoint}/activate/${issued.code}`,
    expiresAt: rfc3339(expiresAt),
    issue,
    tokenSha256: token,
    codeSha256: issued.entry.codeSha256,
    sealedProfile: issued.entry.sealedProfile,
  };
}

/** The server configuration's entry for the link, when it is the current token's. */
export function activationEntry(
  spec: DeltaRecipientSpec["activation"],
  status: ActivationStatus | undefined,
  credentials: Credentials,
): RecipientActivationConfig | undefined {
  if (spec === undefined || status === undefined || status.tokenSha256 !== tokenSha256(credentials.token))
    return undefined;
  return { codeSha256: status.codeSha256, expiresAt: status.expiresAt, sealedProfile: status.sealedProfile };
}
