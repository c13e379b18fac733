// Recipients as a data provider makes them: by running the recipient command as its own process,
// and reading back its profile and configuration entry.
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../../ground/paths.ts";

export interface MadeRecipient {
  token: string;
  profile: {
    shareCredentialsVersion: number;
    endpoint: string;
    bearerToken: string;
    expirationTime?: string;
  };
  entry: {
    name: string;
    tokens: { sha256: string; expiresAt?: string }[];
    shares: string[];
    allowedIpRanges?: string[];
  };
}

const cli = join(repoRoot, "server", "cli", "main.ts");

export async function recipientCommand(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [cli, "recipient", ...args], { timeout: 30_000 });
}

/** Runs `recipient create|rotate … --json` and returns what it printed. */
export async function runRecipient(args: string[]): Promise<MadeRecipient> {
  const { stdout } = await recipientCommand([...args, "--json"]);
  const answer = JSON.parse(stdout) as {
    profile: MadeRecipient["profile"];
    recipient: MadeRecipient["entry"];
  };
  return { token: answer.profile.bearerToken, profile: answer.profile, entry: answer.recipient };
}

export async function writeProfile(dir: string, made: MadeRecipient, name: string): Promise<string> {
  const path = join(dir, `${name}.share`);
  await writeFile(path, JSON.stringify(made.profile));
  return path;
}
