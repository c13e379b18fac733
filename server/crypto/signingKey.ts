// The key that signs page tokens and local file URLs. Every replica must share it (the operator
// mounts one from a Secret) so that a token made by one replica works on another; without one
// configured, a random per-process key still keeps tokens unforgeable.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";

export async function loadSigningKey(file: string | undefined): Promise<Buffer> {
  if (file === undefined) return randomBytes(32);
  const text = (await readFile(file, "utf8")).trim();
  if (text.length < 32) throw new Error(`the signing key in ${file} is shorter than 32 characters`);
  return Buffer.from(text, "utf8");
}
