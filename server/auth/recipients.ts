// Recipients as first-class objects: each with its own tokens (stored only as SHA-256 hashes,
// several at once during a rotation), its granted shares and the addresses it may come from.
// A token is found by its hash, then compared in constant time; its expiry and the recipient's
// address ranges are checked before any share is looked at.
import type { RecipientConfig } from "../config/schema.ts";
import { type AddressRanges, addressRanges } from "./addressRanges.ts";
import { AuthError, bearerToken, sameDigest, sha256 } from "./bearerToken.ts";
import { grantedShares, type Identity } from "./identity.ts";

interface KnownToken {
  digest: Buffer;
  expiresAt: number | undefined;
  identity: Identity;
  allowed: AddressRanges | undefined;
}

export interface RecipientFacts {
  authorization: string | undefined;
  clientAddress: string;
  now?: number;
}

export function recipientAuthenticator(recipients: readonly RecipientConfig[]) {
  const byHash = new Map<string, KnownToken>();
  for (const recipient of recipients) {
    const identity = grantedShares(recipient.name, {
      shares: recipient.shares,
      directoryAccess: recipient.directoryAccess ?? false,
      properties: recipient.properties ?? {},
    });
    const allowed = recipient.allowedIpRanges ? addressRanges(recipient.allowedIpRanges) : undefined;
    for (const token of recipient.tokens) {
      byHash.set(token.sha256, {
        digest: Buffer.from(token.sha256, "hex"),
        expiresAt: token.expiresAt === undefined ? undefined : Date.parse(token.expiresAt),
        identity,
        allowed,
      });
    }
  }
  return (request: RecipientFacts): Identity => {
    const digest = sha256(bearerToken(request.authorization));
    const known = byHash.get(digest.toString("hex"));
    if (!known || !sameDigest(digest, known.digest))
      throw new AuthError("token", "the bearer token is not valid");
    if (known.expiresAt !== undefined && known.expiresAt <= (request.now ?? Date.now())) {
      throw new AuthError(
        "expired",
        `the bearer token expired at ${new Date(known.expiresAt).toISOString()}`,
        known.identity.recipient,
      );
    }
    if (known.allowed && !known.allowed.includes(request.clientAddress)) {
      throw new AuthError(
        "address",
        `recipient '${known.identity.recipient}' may not connect from ${request.clientAddress}`,
        known.identity.recipient,
      );
    }
    return known.identity;
  };
}
