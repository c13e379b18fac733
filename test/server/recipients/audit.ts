// Reading what the server wrote: audit events from the audit file, and the check that no secret
// appears in any captured log text.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

export type AuditLine = Record<string, unknown>;

/** The events in the audit file, once the server's asynchronous writes have settled. */
export async function auditEvents(path: string): Promise<AuditLine[]> {
  let text = await readFile(path, "utf8").catch(() => "");
  for (let round = 0; round < 30; round++) {
    await sleep(100);
    const again = await readFile(path, "utf8").catch(() => "");
    if (again === text && text.endsWith("\n")) break;
    text = again;
  }
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as AuditLine);
}

/** Fails when a token, its SHA-256 (hex or base64) or a URL signature shows up in any text. */
export function assertNoSecrets(texts: Record<string, string>, tokens: string[]): void {
  for (const token of tokens) {
    const digest = createHash("sha256").update(token, "utf8").digest();
    const forms = [token, digest.toString("hex"), digest.toString("base64"), digest.toString("base64url")];
    for (const [where, text] of Object.entries(texts)) {
      for (const form of forms) assert.ok(!text.includes(form), `a token (or its hash) appears in ${where}`);
    }
  }
  for (const [where, text] of Object.entries(texts)) {
    assert.doesNotMatch(
      text,
      /X-Amz-Signature|Signature=|\/files\/[A-Za-z0-9_-]{20,}/i,
      `a signature or a signed file URL appears in ${where}`,
    );
  }
}
