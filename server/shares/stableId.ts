// Ids for shares and tables that the config does not name: derived from the (case-folded) names,
// so they are identical across restarts and replicas, and formatted as UUIDs as the protocol advises.
import { createHash } from "node:crypto";

export function stableId(...names: string[]): string {
  const hex = createHash("sha256")
    .update(names.map((name) => name.toLowerCase()).join("\0"))
    .digest("hex");
  // version 8 (custom) UUID layout with the RFC 4122 variant bits
  const variant = ((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
