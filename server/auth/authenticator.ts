// Turns a request's Authorization header into an Identity. With `authorization.bearerToken` (the
// reference server's model) one token sees every share.
import type { ServerConfig } from "../config/schema.ts";
import { SharingError } from "../protocol/errors.ts";
import { bearerToken, sameDigest, sha256 } from "./bearerToken.ts";
import { everyShare, type Identity } from "./identity.ts";

export interface RequestFacts {
  authorization: string | undefined;
  clientAddress: string;
}

export type Authenticator = (request: RequestFacts) => Identity;

export function createAuthenticator(config: ServerConfig): Authenticator {
  const configured = config.authorization?.bearerToken;
  if (configured === undefined) {
    throw new Error("no authorization is configured: set authorization.bearerToken");
  }
  const expected = sha256(configured);
  return (request) => {
    const token = bearerToken(request.authorization);
    if (!sameDigest(sha256(token), expected)) {
      throw new SharingError("unauthenticated", "the bearer token is not valid", {
        "www-authenticate": "Bearer",
      });
    }
    return everyShare("bearer");
  };
}
