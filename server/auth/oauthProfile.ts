// The profile a federated recipient gets: `shareCredentialsVersion: 2` with
// `type: oauth_client_credentials`, which the official clients read as it is and use to fetch and
// refresh their own access tokens. It holds no secret of ours: the client secret belongs to the
// recipient's identity provider, so the profile names where it goes and the recipient fills it in.
import type { FederationPolicyConfig } from "../config/federationSchema.ts";

export const clientSecretPlaceholder = "<the client secret your identity provider issued for this client id>";

export interface OAuthProfile {
  shareCredentialsVersion: 2;
  type: "oauth_client_credentials";
  endpoint: string;
  tokenEndpoint: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
}

export interface OAuthProfileInput {
  endpoint: string;
  tokenEndpoint: string;
  clientId: string;
  policy: Pick<FederationPolicyConfig, "scopes">;
}

export function oauthProfile(input: OAuthProfileInput): OAuthProfile {
  const scope = (input.policy.scopes ?? []).join(" ");
  return {
    shareCredentialsVersion: 2,
    type: "oauth_client_credentials",
    endpoint: input.endpoint.replace(/\/+$/, ""),
    tokenEndpoint: input.tokenEndpoint,
    clientId: input.clientId,
    clientSecret: clientSecretPlaceholder,
    ...(scope !== "" ? { scope } : {}),
  };
}
