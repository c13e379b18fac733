// What a server's written configuration holds, read back from its config Secret: which shares
// (with what content) and which recipient tokens and grants. Shares and recipients report Ready
// against this, not against what the operator meant to write. Parsed once per Secret version.
import type { V1Secret } from "@kubernetes/client-node";
import { parse } from "yaml";
import type { RecipientConfig, ShareConfig } from "../../server/config/schema.ts";
import { configTextOf } from "../render/configSecret.ts";

export interface AppliedConfig {
  /** Lower-cased share name → the share as configured, as JSON. */
  shares: Map<string, string>;
  /** Recipient name → its token hashes and its grants (as JSON). */
  recipients: Map<string, { tokens: Set<string>; shares: string; federation: string }>;
}

const empty: AppliedConfig = { shares: new Map(), recipients: new Map() };
const memo = new WeakMap<object, AppliedConfig>();

export const shareFingerprint = (share: ShareConfig) => JSON.stringify(share);
export const grantsFingerprint = (recipient: RecipientConfig) => JSON.stringify(recipient.shares);
export const federationFingerprint = (recipient: RecipientConfig) =>
  JSON.stringify(recipient.federation ?? null);

type ConfigLists = { shares?: ShareConfig[]; recipients?: RecipientConfig[] };

// The operator writes JSON; anything else (a hand edit) is read as YAML.
function parseConfig(text: string): ConfigLists {
  try {
    return JSON.parse(text) as ConfigLists;
  } catch {
    return parse(text) as ConfigLists;
  }
}

export function appliedConfigOf(secret: V1Secret | undefined): AppliedConfig {
  if (secret === undefined) return empty;
  const known = memo.get(secret);
  if (known !== undefined) return known;
  const text = configTextOf(secret);
  let applied = empty;
  if (text !== undefined) {
    try {
      const config = parseConfig(text);
      applied = {
        shares: new Map(
          (config.shares ?? []).map((share) => [share.name.toLowerCase(), shareFingerprint(share)]),
        ),
        recipients: new Map(
          (config.recipients ?? []).map((recipient) => [
            recipient.name,
            {
              tokens: new Set((recipient.tokens ?? []).map((token) => token.sha256)),
              shares: grantsFingerprint(recipient),
              federation: federationFingerprint(recipient),
            },
          ]),
        ),
      };
    } catch {
      applied = empty;
    }
  }
  // cached objects are replaced, never mutated, on every change: the object itself is the key
  memo.set(secret, applied);
  return applied;
}
