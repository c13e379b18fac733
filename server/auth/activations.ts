// The activation links a configuration holds, found by the hash of the code a client presents.
// What a link may do is decided here, before any spend: it must exist, be unexpired, and be used
// from an address the recipient's allow list admits.
import type { RecipientConfig } from "../config/schema.ts";
import { codeSha256, isActivationCode, openActivation } from "./activationSeal.ts";
import { type AddressRanges, addressRanges } from "./addressRanges.ts";

export interface PendingActivation {
  recipient: string;
  codeSha256: string;
  expiresAt: string;
  /** The profile's JSON text, opened with the code the client presented. */
  open(): string | undefined;
}

export type ActivationLookup =
  | { outcome: "unknown" }
  | { outcome: "expired"; recipient: string }
  | { outcome: "address"; recipient: string }
  | { outcome: "pending"; activation: PendingActivation };

interface Known {
  recipient: RecipientConfig;
  allowed: AddressRanges | undefined;
}

export type ActivationFinder = (code: string, clientAddress: string, now?: number) => ActivationLookup;

export function activationFinder(recipients: readonly RecipientConfig[]): ActivationFinder {
  const byHash = new Map<string, Known>();
  for (const recipient of recipients) {
    if (!recipient.activation) continue;
    const allowed = recipient.allowedIpRanges ? addressRanges(recipient.allowedIpRanges) : undefined;
    byHash.set(recipient.activation.codeSha256, { recipient, allowed });
  }
  return (code, clientAddress, now = Date.now()) => {
    if (!isActivationCode(code)) return { outcome: "unknown" };
    const hash = codeSha256(code);
    const known = byHash.get(hash);
    const entry = known?.recipient.activation;
    if (!known || !entry) return { outcome: "unknown" };
    const name = known.recipient.name;
    if (Date.parse(entry.expiresAt) <= now) return { outcome: "expired", recipient: name };
    if (known.allowed && !known.allowed.includes(clientAddress))
      return { outcome: "address", recipient: name };
    return {
      outcome: "pending",
      activation: {
        recipient: name,
        codeSha256: hash,
        expiresAt: entry.expiresAt,
        open: () => openActivation(name, entry, code),
      },
    };
  };
}
