// Recipients as first-class objects: each with its own tokens (stored only as SHA-256 hashes,
// several at once during a rotation), its granted shares and the addresses it may come from.
// A token is found by its hash, then compared in constant time; its expiry and the recipient's
// address ranges are checked before any share is looked at. A token shaped like a JWT that is no
// token of ours goes to the recipients' federation policies.
import type { FederationConfig } from "../config/federationSchema.ts";
import type { RecipientConfig } from "../config/schema.ts";
import { type AddressRanges, addressRanges } from "./addressRanges.ts";
import { AuthError, bearerToken, sameDigest, sha256 } from "./bearerToken.ts";
import { federatedAuthenticator, looksLikeJwt } from "./federation.ts";
import { grantedShares, type Identity } from "./identity.ts";
import type { IssuerRegistry } from "./issuerRegistry.ts";

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

export function recipientAuthenticator(
  recipients: readonly RecipientConfig[],
  issuers: IssuerRegistry,
  federation: FederationConfig,
) {
  const byHash = new Map<string, KnownToken>();
  const resolved = recipients.map((recipient) => ({
    config: recipient,
    identity: grantedShares(recipient.name, {
      shares: recipient.shares,
      directoryAccess: recipient.directoryAccess ?? false,
      properties: recipient.properties ?? {},
    }),
    allowed: recipient.allowedIpRanges ? addressRanges(recipient.allowedIpRanges) : undefined,
  }));
  for (const { config, identity, allowed } of resolved) {
    for (const token of config.tokens) {
      byHash.set(token.sha256, {
        digest: Buffer.from(token.sha256, "hex"),
        expiresAt: token.expiresAt === undefined ? undefined : Date.parse(token.expiresAt),
        identity,
        allowed,
      });
    }
  }
  const federated = resolved.some(({ config }) => config.federation !== undefined)
    ? federatedAuthenticator(resolved, issuers, federation)
    : undefined;
  return async (request: RecipientFacts): Promise<Identity> => {
    const token = bearerToken(request.authorization);
    const digest = sha256(token);
    const known = byHash.get(digest.toString("hex"));
    if (!known || !sameDigest(digest, known.digest)) {
      if (federated && looksLikeJwt(token)) return federated(token, request.clientAddress);
      throw new AuthError("token", "the bearer token is not valid");
    }
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
