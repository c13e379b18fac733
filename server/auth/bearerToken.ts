// Bearer-token authentication. Tokens are compared as SHA-256 digests in constant time, so neither
// the comparison's timing nor a stored copy reveals the token.
import { createHash, timingSafeEqual } from "node:crypto";
import { SharingError } from "../protocol/errors.ts";

/** A refusal before any share is looked at, with why (for metrics; the message says it to the client). */
export class AuthError extends SharingError {
  readonly reason: "missing" | "token" | "expired" | "address";
  readonly recipient: string | undefined;
  constructor(reason: AuthError["reason"], message: string, recipient?: string) {
    super(
      reason === "address" ? "forbidden" : "unauthenticated",
      message,
      reason === "address" ? {} : { "www-authenticate": "Bearer" },
    );
    this.reason = reason;
    this.recipient = recipient;
  }
}

export function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

export function sameDigest(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer …` header; 401 when there is none. */
export function bearerToken(header: string | undefined): string {
  const match = header === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  if (!match?.[1]) throw new AuthError("missing", "a bearer token is required");
  return match[1];
}
