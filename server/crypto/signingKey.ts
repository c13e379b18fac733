// The key that signs page tokens and local file URLs. Every replica must share it (the operator
// mounts one from a Secret) so that a token made by one replica works on another; without one
// configured, a random per-process key still keeps tokens unforgeable.
// A relative path is found beside the configuration file, wherever that is mounted (the
// operator's Secret volume holds the two side by side).
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";

export async function loadSigningKey(file: string | undefined, configPath?: string): Promise<Buffer> {
  if (file === undefined) return randomBytes(32);
  const path = configPath === undefined ? file : resolve(dirname(configPath), file);
  const text = (await readFile(path, "utf8")).trim();
  if (text.length < 32) throw new Error(`the signing key in ${path} is shorter than 32 characters`);
  return Buffer.from(text, "utf8");
}
