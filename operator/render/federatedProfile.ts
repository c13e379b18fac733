// A federated recipient, as the server's configuration states it (its federation policy) and as
// its credential Secret holds it: a v2 `oauth_client_credentials` profile template in
// `config.share`, with no secret of ours in it. The client secret is the recipient's identity
// provider's; the recipient puts it into the profile themselves.
import type { V1Secret } from "@kubernetes/client-node";
import { oauthProfile } from "../../server/auth/oauthProfile.ts";
import type { FederationPolicyConfig } from "../../server/config/federationSchema.ts";
import type { DeltaRecipientFederation } from "../api/deltaRecipient.ts";
import type { DeltaRecipient } from "../api/kinds.ts";
import { profileSecret } from "./credentialSecret.ts";

export function renderFederationPolicy(federation: DeltaRecipientFederation): FederationPolicyConfig {
  const { tokenEndpoint: _profileOnly, clientId: _alsoProfileOnly, ...policy } = federation;
  return { ...policy, subjectClaim: federation.subjectClaim ?? "sub" };
}

export function renderFederatedProfile(endpoint: string, federation: DeltaRecipientFederation): string {
  const profile = oauthProfile({
    endpoint,
    tokenEndpoint: federation.tokenEndpoint,
    clientId: federation.clientId ?? federation.subject,
    policy: federation,
  });
  return `${JSON.stringify(profile, null, 2)}\n`;
}

export function renderFederatedProfileSecret(
  recipient: DeltaRecipient,
  endpoint: string,
  federation: DeltaRecipientFederation,
): V1Secret & { metadata: { name: string; namespace: string } } {
  return profileSecret(recipient, renderFederatedProfile(endpoint, federation));
}
