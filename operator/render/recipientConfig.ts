// A DeltaRecipient as the server's configuration states a recipient: token hashes only (none for a
// federated recipient, which has its federation policy instead), and only grants of shares the
// server serves (a grant of an unknown share is reported, not served).
import type { RecipientConfig } from "../../server/config/schema.ts";
import type { DeltaRecipient } from "../api/kinds.ts";
import { activationEntry } from "./activation.ts";
import { acceptedTokens, type Credentials } from "./credentials.ts";
import { renderFederationPolicy } from "./federatedProfile.ts";

export interface RenderedRecipient {
  config: RecipientConfig;
  unknownShares: string[];
}

/** servedShares: lower-cased share name → the name as served. */
export function renderRecipientConfig(
  recipient: DeltaRecipient,
  credentials: Credentials | undefined,
  servedShares: ReadonlyMap<string, string>,
): RenderedRecipient {
  const granted: string[] = [];
  const unknownShares: string[] = [];
  for (const name of recipient.spec.shares) {
    const served = servedShares.get(name.toLowerCase());
    if (served === undefined) unknownShares.push(name);
    else if (!granted.includes(served)) granted.push(served);
  }
  const spec = recipient.spec;
  // a federated recipient has no token of ours for a link to hand out
  const activation =
    credentials === undefined
      ? undefined
      : activationEntry(spec.activation, recipient.status?.activation, credentials);
  return {
    config: {
      name: recipient.metadata.name,
      tokens: credentials ? acceptedTokens(credentials) : [],
      ...(spec.federation !== undefined ? { federation: renderFederationPolicy(spec.federation) } : {}),
      shares: granted,
      ...(spec.allowedIpRanges !== undefined ? { allowedIpRanges: spec.allowedIpRanges } : {}),
      ...(spec.directoryAccess === true ? { directoryAccess: true } : {}),
      ...(spec.properties !== undefined ? { properties: spec.properties } : {}),
      ...(activation !== undefined ? { activation } : {}),
    },
    unknownShares,
  };
}
