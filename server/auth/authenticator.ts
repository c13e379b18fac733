// Turns a request's Authorization header into an Identity. With `recipients`, each token belongs to
// one recipient and sees only its grants; with `authorization.bearerToken` (the reference server's
// model) one token sees every share; with `allowAnonymous: true`, and only then, no token is asked.
import type { ServerConfig } from "../config/schema.ts";
import { AuthError, bearerToken, sameDigest, sha256 } from "./bearerToken.ts";
import { everyShare, type Identity } from "./identity.ts";
import { defaultFederation } from "./issuerKeys.ts";
import type { IssuerRegistry } from "./issuerRegistry.ts";
import { recipientAuthenticator } from "./recipients.ts";

export interface RequestFacts {
  authorization: string | undefined;
  clientAddress: string;
}

export type Authenticator = (request: RequestFacts) => Promise<Identity>;

export function createAuthenticator(config: ServerConfig, issuers: IssuerRegistry): Authenticator {
  if (config.recipients !== undefined) {
    return recipientAuthenticator(config.recipients, issuers, config.federation ?? defaultFederation);
  }
  const configured = config.authorization?.bearerToken;
  if (configured === undefined) {
    if (config.allowAnonymous === true) {
      const anonymous = everyShare("anonymous");
      return async () => anonymous;
    }
    throw new Error("no authorization is configured: set recipients or authorization.bearerToken");
  }
  const expected = sha256(configured);
  return async (request) => {
    const token = bearerToken(request.authorization);
    if (!sameDigest(sha256(token), expected)) {
      throw new AuthError("token", "the bearer token is not valid");
    }
    return everyShare("bearer");
  };
}
