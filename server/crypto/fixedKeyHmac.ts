// HMAC-SHA256 under one fixed key, as two one-shot SHA-256 over the padded key (RFC 2104): each
// createHmac pays a digest set-up that costs as much as both hashes together on Node 24, and a cold
// answer of 100k files makes one HMAC per file URL. The padded key blocks stay in two scratch
// buffers the message and the inner hash are written after.
import { hash } from "node:crypto";

const block = 64;
/** Message bytes signed without allocating; longer messages take a buffer of their own. */
const scratchBytes = 1024;

export type FixedKeyHmac = {
  (message: string, encoding: "hex"): string;
  (message: string, encoding: "buffer"): Buffer;
};

/** The HMAC-SHA256 of UTF-8 messages under `key`, as createHmac("sha256", key) computes it. */
export function fixedKeyHmac(key: Buffer): FixedKeyHmac {
  const blockKey = key.length > block ? hash("sha256", key, "buffer") : key;
  const inner = Buffer.alloc(block + scratchBytes, 0x36);
  const outer = Buffer.alloc(block + 32, 0x5c);
  for (let i = 0; i < blockKey.length; i++) {
    inner[i] = (inner[i] as number) ^ (blockKey[i] as number);
    outer[i] = (outer[i] as number) ^ (blockKey[i] as number);
  }
  const innerPad = Buffer.from(inner.subarray(0, block));
  return ((message: string, encoding: "hex" | "buffer") => {
    // at most 3 bytes per UTF-16 unit: a message that surely fits is written straight after the pad
    const innerInput =
      message.length * 3 <= scratchBytes
        ? inner.subarray(0, block + inner.write(message, block, "utf8"))
        : Buffer.concat([innerPad, Buffer.from(message, "utf8")]);
    outer.set(hash("sha256", innerInput, "buffer"), block);
    return hash("sha256", outer, encoding);
  }) as FixedKeyHmac;
}
