// Tamper-evident tokens: a base64url JSON payload and its HMAC-SHA256 under the server's signing
// key. Each use names its own purpose, so a token minted for one purpose (a page of a listing, a
// file URL) is worthless for another.
import { timingSafeEqual } from "node:crypto";
import { type FixedKeyHmac, fixedKeyHmac } from "./fixedKeyHmac.ts";

export class SignedTokenCodec {
  readonly #hmac: FixedKeyHmac;
  readonly #purpose: string;

  constructor(key: Buffer, purpose: string) {
    this.#hmac = fixedKeyHmac(key);
    this.#purpose = purpose;
  }

  #mac(payload: string): Buffer {
    return this.#hmac(`${this.#purpose}\0${payload}`, "buffer");
  }

  encode(value: unknown): string {
    const payload = Buffer.from(JSON.stringify(value)).toString("base64url");
    return `${payload}.${this.#mac(payload).toString("base64url")}`;
  }

  /** The payload of an authentic token; `undefined` for anything forged, altered or malformed. */
  decode(token: string): unknown {
    if (token.length > 8192) return undefined;
    const [payload, signature, ...rest] = token.split(".");
    if (payload === undefined || signature === undefined || rest.length > 0) return undefined;
    const expected = this.#mac(payload);
    const given = Buffer.from(signature, "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      return JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    } catch {
      return undefined;
    }
  }
}
