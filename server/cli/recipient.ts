// Making recipients: a fresh token of 256 random bits, the profile file the recipient gets (the
// only place the token is written), and the entry for the server configuration, which holds only
// the token's SHA-256. Rotation adds a new token and gives the old ones an expiry, so both work
// during the grace window.
import { createHash, randomBytes } from "node:crypto";
import type { RecipientConfig } from "../config/schema.ts";

export interface Profile {
  shareCredentialsVersion: 1;
  endpoint: string;
  bearerToken: string;
  expirationTime?: string;
}

export interface NewToken {
  token: string;
  entry: RecipientConfig["tokens"][number];
}

export function newToken(expiresAt: Date | undefined): NewToken {
  const token = randomBytes(32).toString("base64url");
  const sha256 = createHash("sha256").update(token, "utf8").digest("hex");
  return { token, entry: { sha256, ...(expiresAt ? { expiresAt: expiresAt.toISOString() } : {}) } };
}

export function profileFor(endpoint: string, token: NewToken): Profile {
  return {
    shareCredentialsVersion: 1,
    endpoint: endpoint.replace(/\/+$/, ""),
    bearerToken: token.token,
    ...(token.entry.expiresAt ? { expirationTime: token.entry.expiresAt } : {}),
  };
}

export interface CreateOptions {
  name: string;
  shares: string[];
  allowedIpRanges?: string[];
  expiresAt?: Date;
}

export function createRecipient(options: CreateOptions): { recipient: RecipientConfig; token: NewToken } {
  const token = newToken(options.expiresAt);
  const recipient: RecipientConfig = {
    name: options.name,
    tokens: [token.entry],
    shares: options.shares,
    ...(options.allowedIpRanges?.length ? { allowedIpRanges: options.allowedIpRanges } : {}),
  };
  return { recipient, token };
}

/** The recipient with a new token; its other tokens expire at the end of the grace window at the latest. */
export function rotateRecipient(
  recipient: RecipientConfig,
  graceEnds: Date,
  expiresAt: Date | undefined,
): { recipient: RecipientConfig; token: NewToken } {
  const token = newToken(expiresAt);
  const old = recipient.tokens.map((entry) => {
    const current = entry.expiresAt === undefined ? undefined : Date.parse(entry.expiresAt);
    const ends = current !== undefined && current < graceEnds.getTime() ? current : graceEnds.getTime();
    return { sha256: entry.sha256, expiresAt: new Date(ends).toISOString() };
  });
  return { recipient: { ...recipient, tokens: [...old, token.entry] }, token };
}
