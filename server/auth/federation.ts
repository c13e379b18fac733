// Recipients that authenticate with their own identity provider's JWT access tokens instead of a
// token of ours (OAuth 2.0 client credentials, OIDC federation). A token is verified against its
// issuer's keys (signature, algorithm allow list, iss, exp and nbf with a small clock skew), then
// matched to exactly one recipient by the claim its policy names; audience and scopes are that
// recipient's to demand. Refusals say what failed, never what the token held.
import { decodeJwt, decodeProtectedHeader, errors, type JWTPayload, jwtVerify } from "jose";
import {
  type FederationConfig,
  type FederationPolicyConfig,
  federationAlgorithms,
} from "../config/federationSchema.ts";
import type { RecipientConfig } from "../config/schema.ts";
import { SharingError } from "../protocol/errors.ts";
import type { AddressRanges } from "./addressRanges.ts";
import { AuthError } from "./bearerToken.ts";
import type { Identity } from "./identity.ts";
import { IssuerUnavailableError } from "./issuerKeys.ts";
import type { IssuerRegistry } from "./issuerRegistry.ts";

export interface FederatedRecipient {
  policy: FederationPolicyConfig;
  identity: Identity;
  allowed: AddressRanges | undefined;
}

const compactJws = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** A token shaped like a signed JWT: our own tokens never are (they hold no dot). */
export const looksLikeJwt = (token: string): boolean => token.length <= 16_384 && compactJws.test(token);

const acceptedAlgorithms: ReadonlySet<string> = new Set(federationAlgorithms);

const invalid = (message: string, recipient?: string) => new AuthError("token", message, recipient);

function unverifiedIssuer(token: string): { alg: string | undefined; iss: string | undefined } {
  try {
    return { alg: decodeProtectedHeader(token).alg, iss: decodeJwt(token).iss };
  } catch {
    throw invalid("the bearer token is not valid");
  }
}

function scopesOf(claims: JWTPayload): Set<string> {
  const granted = new Set<string>();
  for (const value of [claims.scope, claims.scp]) {
    if (typeof value === "string") for (const scope of value.split(" ")) if (scope) granted.add(scope);
    if (Array.isArray(value)) for (const scope of value) if (typeof scope === "string") granted.add(scope);
  }
  return granted;
}

function audienceAccepted(policy: FederationPolicyConfig, claims: JWTPayload): boolean {
  if (policy.audiences === undefined) return true;
  const given = typeof claims.aud === "string" ? [claims.aud] : (claims.aud ?? []);
  return given.some((audience) => policy.audiences?.includes(audience));
}

function verificationFailure(error: unknown): Error {
  if (error instanceof IssuerUnavailableError) {
    return new SharingError("issuerUnavailable", `${error.message}; retry later`, {
      "retry-after": String(error.retryAfterSeconds),
    });
  }
  if (error instanceof errors.JWTExpired) return new AuthError("expired", "the access token has expired");
  if (error instanceof errors.JWKSNoMatchingKey) {
    return invalid("the access token is signed by a key its issuer does not publish");
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return invalid("the access token's signature does not verify");
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return invalid(`the access token's ${error.claim} claim is not valid`);
  }
  return invalid("the access token is not valid");
}

export function federatedAuthenticator(
  recipients: readonly { config: RecipientConfig; identity: Identity; allowed: AddressRanges | undefined }[],
  issuers: IssuerRegistry,
  settings: FederationConfig,
) {
  const byIssuer = new Map<string, FederatedRecipient[]>();
  for (const { config, identity, allowed } of recipients) {
    const policy = config.federation;
    if (!policy) continue;
    const list = byIssuer.get(policy.issuer) ?? [];
    list.push({ policy, identity, allowed });
    byIssuer.set(policy.issuer, list);
  }

  return async (token: string, clientAddress: string): Promise<Identity> => {
    const { alg, iss } = unverifiedIssuer(token);
    const candidates = iss === undefined ? undefined : byIssuer.get(iss);
    if (!candidates?.[0]) throw invalid("the access token's issuer is not trusted");
    if (alg === undefined || !acceptedAlgorithms.has(alg)) {
      throw invalid("the access token's signature algorithm is not accepted");
    }
    // recipients of one issuer may use different key sources; each source verifies on its own
    const sources = new Map<string, FederatedRecipient[]>();
    for (const candidate of candidates) {
      const key = candidate.policy.jwksUri ?? "";
      sources.set(key, [...(sources.get(key) ?? []), candidate]);
    }
    let failure: Error | undefined;
    for (const group of sources.values()) {
      const first = group[0] as FederatedRecipient;
      const keys = issuers.keysOf(first.policy.issuer, first.policy.jwksUri);
      let claims: JWTPayload;
      try {
        ({ payload: claims } = await jwtVerify(token, keys.key, {
          issuer: first.policy.issuer,
          algorithms: [...federationAlgorithms],
          clockTolerance: settings.clockSkewSeconds,
          requiredClaims: ["exp"],
        }));
      } catch (error) {
        failure = verificationFailure(error);
        continue;
      }
      return matchRecipient(group, claims, clientAddress, alg);
    }
    throw failure ?? invalid("the access token is not valid");
  };
}

function matchRecipient(
  candidates: FederatedRecipient[],
  claims: JWTPayload,
  clientAddress: string,
  alg: string,
): Identity {
  const matching = candidates.filter(({ policy }) => claims[policy.subjectClaim] === policy.subject);
  const found = matching[0];
  if (!found || matching.length > 1) throw invalid("the access token names no known recipient");
  const { policy, identity } = found;
  const name = identity.recipient;
  if (policy.algorithms !== undefined && !(policy.algorithms as readonly string[]).includes(alg)) {
    throw invalid("the access token's signature algorithm is not accepted", name);
  }
  // Amazon Cognito marks its ID tokens; only access tokens grant access
  if (claims.token_use !== undefined && claims.token_use !== "access") {
    throw invalid("the bearer token is not an access token", name);
  }
  if (!audienceAccepted(policy, claims)) throw invalid("the access token's audience is not accepted", name);
  const granted = scopesOf(claims);
  const missing = (policy.scopes ?? []).filter((scope) => !granted.has(scope));
  if (missing.length > 0) throw invalid(`the access token lacks the scope ${missing.join(", ")}`, name);
  if (found.allowed && !found.allowed.includes(clientAddress)) {
    throw new AuthError("address", `recipient '${name}' may not connect from ${clientAddress}`, name);
  }
  return identity;
}
