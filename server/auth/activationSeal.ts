// Activation codes and the profile they unlock. Whoever issues a link (the operator, the recipient
// CLI) draws a code of 256 random bits and writes into the server configuration only the code's
// SHA-256 and the .share profile sealed with AES-256-GCM under a key derived from the code (HKDF-
// SHA-256). The server opens the profile only with a code a client presents; the configuration by
// itself holds neither the code nor the token.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";
import type { RecipientActivationConfig } from "../config/schema.ts";

const info = Buffer.from("delta-sharing-operator activation profile v1");
const codePattern = /^[A-Za-z0-9_-]{43}$/;
const ivBytes = 12;
const tagBytes = 16;

export interface IssuedActivation {
  code: string;
  entry: RecipientActivationConfig;
}

/** True for text shaped like a code we issue (so anything else is refused before hashing). */
export function isActivationCode(text: string): boolean {
  return codePattern.test(text);
}

export function codeSha256(code: string): string {
  return createHash("sha256").update(code, "utf8").digest("hex");
}

function keyOf(code: string, recipient: string): Buffer {
  // the recipient's name as salt binds the sealed profile to the entry it sits in
  return Buffer.from(hkdfSync("sha256", Buffer.from(code, "utf8"), Buffer.from(recipient, "utf8"), info, 32));
}

/** A fresh code and the configuration entry that lets the server hand `profile` out once. */
export function sealActivation(recipient: string, profile: object, expiresAt: Date): IssuedActivation {
  const code = randomBytes(32).toString("base64url");
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv("aes-256-gcm", keyOf(code, recipient), iv);
  cipher.setAAD(Buffer.from(recipient, "utf8"));
  const sealed = Buffer.concat([cipher.update(JSON.stringify(profile), "utf8"), cipher.final()]);
  return {
    code,
    entry: {
      codeSha256: codeSha256(code),
      expiresAt: expiresAt.toISOString(),
      sealedProfile: Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString("base64url"),
    },
  };
}

/** The profile's JSON text; undefined when the code does not open the entry. */
export function openActivation(
  recipient: string,
  entry: RecipientActivationConfig,
  code: string,
): string | undefined {
  const bytes = Buffer.from(entry.sealedProfile, "base64url");
  if (bytes.length <= ivBytes + tagBytes) return undefined;
  try {
    const decipher = createDecipheriv("aes-256-gcm", keyOf(code, recipient), bytes.subarray(0, ivBytes));
    decipher.setAAD(Buffer.from(recipient, "utf8"));
    decipher.setAuthTag(bytes.subarray(bytes.length - tagBytes));
    const body = bytes.subarray(ivBytes, bytes.length - tagBytes);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
  } catch {
    return undefined;
  }
}
