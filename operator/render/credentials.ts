// A recipient's token and its life: made once, valid for the token lifetime (the server's default,
// 90 days, unless the recipient says otherwise or 'never'), replaced when spec.token.rotation is
// raised or its profile Secret was deleted, while the previous one keeps working for the grace
// period (unless spec.token.revokePrevious ends it at once). The plain token lives in the
// credential Secret's profile; its life (hash, rotation, issue time, expiry, the previous token's
// hash and end of grace) in the recipient's status, which only the operator writes. So the
// operator can restart at any point and lose nothing, and editing the Secret can neither extend a
// token nor add one.
import { createHash } from "node:crypto";
import type { DeltaRecipientSpec } from "../api/deltaRecipient.ts";
import { recipientDefaults } from "../api/deltaRecipient.ts";
import { group } from "../api/group.ts";
import { rfc3339 } from "./conditions.ts";
import { parseDuration } from "./duration.ts";

export interface TokenRecord {
  sha256: string;
  expiresAt?: string;
}

export interface Credentials {
  token: string;
  rotation: number;
  issuedAt: string;
  expiresAt?: string;
  previous?: TokenRecord;
}

export type CredentialsChange =
  | "issued"
  | "reissued"
  | "rotated"
  | "previousExpired"
  | "previousRevoked"
  | "expiryChanged"
  | "unchanged";

export interface TokenPolicy {
  /** The lifetime when the recipient names none: a duration, or "never". */
  defaultLifetime: string;
  /** The token a deleted profile Secret held (kept in the recipient's status), when there was one. */
  lost?: TokenRecord | undefined;
}

/** Shown on the credential Secret for people; never read back. */
export const annotations = {
  rotation: `${group}/token-rotation`,
  sha256: `${group}/token-sha256`,
} as const;

export function tokenSha256(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

type TokenSpec = DeltaRecipientSpec["token"];

function expiryOf(issuedAt: string, spec: TokenSpec, policy: TokenPolicy): string | undefined {
  const lifetime = spec?.lifetime ?? policy.defaultLifetime;
  if (lifetime === "never") return undefined;
  return rfc3339(new Date(Date.parse(issuedAt) + parseDuration(lifetime)));
}

/** The replaced token, kept until the end of its grace period (never past its own expiry). */
function keptPrevious(replaced: TokenRecord, spec: TokenSpec, now: Date): TokenRecord | undefined {
  if (spec?.revokePrevious === true) return undefined;
  const graceEnds = rfc3339(
    new Date(now.getTime() + parseDuration(spec?.gracePeriod ?? recipientDefaults.gracePeriod)),
  );
  const expiresAt = earlier(replaced.expiresAt, graceEnds);
  return Date.parse(expiresAt) > now.getTime() ? { sha256: replaced.sha256, expiresAt } : undefined;
}

const earlier = (a: string | undefined, b: string): string =>
  a === undefined || Date.parse(b) < Date.parse(a) ? b : a;

/**
 * What the credentials should be now. `makeToken` is called only when a token is made: on first
 * issue and on rotation.
 */
export function planCredentials(
  current: Credentials | undefined,
  spec: TokenSpec,
  now: Date,
  makeToken: () => string,
  policy: TokenPolicy,
): { credentials: Credentials; change: CredentialsChange } {
  const rotation = spec?.rotation ?? recipientDefaults.rotation;
  const issuedAt = rfc3339(now);
  // a new token: the first, one replacing a lost profile's, or a rotation's
  const made = (replaced: TokenRecord | undefined, change: CredentialsChange) => {
    const expiresAt = expiryOf(issuedAt, spec, policy);
    const previous = replaced === undefined ? undefined : keptPrevious(replaced, spec, now);
    const credentials: Credentials = {
      token: makeToken(),
      rotation,
      issuedAt,
      ...(expiresAt ? { expiresAt } : {}),
      ...(previous ? { previous } : {}),
    };
    return { credentials, change };
  };
  if (current === undefined) return made(policy.lost, policy.lost === undefined ? "issued" : "reissued");
  if (rotation > current.rotation) {
    const replaced = {
      sha256: tokenSha256(current.token),
      ...(current.expiresAt ? { expiresAt: current.expiresAt } : {}),
    };
    return made(replaced, "rotated");
  }
  let change: CredentialsChange = "unchanged";
  let next: Credentials = current;
  const previousEnded =
    current.previous?.expiresAt !== undefined && Date.parse(current.previous.expiresAt) <= now.getTime();
  const previousRevoked = current.previous !== undefined && spec?.revokePrevious === true;
  if (previousEnded || previousRevoked) {
    const { previous: _ended, ...rest } = current;
    next = rest;
    change = previousEnded ? "previousExpired" : "previousRevoked";
  }
  const expiresAt = expiryOf(current.issuedAt, spec, policy);
  if (expiresAt !== current.expiresAt) {
    const { expiresAt: _old, ...rest } = next;
    next = { ...rest, ...(expiresAt ? { expiresAt } : {}) };
    change = "expiryChanged";
  }
  return { credentials: next, change };
}

/** The tokens the server must accept for this recipient, current first. */
export function acceptedTokens(credentials: Credentials): TokenRecord[] {
  const current: TokenRecord = {
    sha256: tokenSha256(credentials.token),
    ...(credentials.expiresAt ? { expiresAt: credentials.expiresAt } : {}),
  };
  return credentials.previous ? [current, credentials.previous] : [current];
}

/** When this state next changes by itself (a token expiring), if ever. */
export function nextCredentialsEvent(credentials: Credentials, now: Date): Date | undefined {
  const times = [credentials.expiresAt, credentials.previous?.expiresAt]
    .filter((time): time is string => time !== undefined)
    .map((time) => Date.parse(time))
    .filter((time) => time > now.getTime());
  return times.length === 0 ? undefined : new Date(Math.min(...times));
}

export function isExpired(credentials: Credentials, now: Date): boolean {
  return credentials.expiresAt !== undefined && Date.parse(credentials.expiresAt) <= now.getTime();
}
