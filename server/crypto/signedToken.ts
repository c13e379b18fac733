// Tamper-evident tokens: a base64url JSON payload and its HMAC-SHA256 under the server's signing
// key. Each use names its own purpose, so a token minted for one purpose (a page of a listing, a
// file URL) is worthless for another.
import { timingSafeEqual } from "node:crypto";
import { type FixedKeyHmac, fixedKeyHmac } from "./fixedKeyHmac.ts";

/** Characters of a MAC in a token: HMAC-SHA256 as base64url. */
const macChars = 43;

/**
 * Computes the base64url HMAC-SHA256 of each message under `key` elsewhere (another thread),
 * macChars each, one after the other; undefined when it cannot, so the codec does it itself.
 */
export type MacMany = (key: Buffer, messages: readonly string[]) => Promise<string | undefined> | undefined;

export class SignedTokenCodec {
  readonly #key: Buffer;
  readonly #hmac: FixedKeyHmac;
  readonly #purpose: string;

  constructor(key: Buffer, purpose: string) {
    this.#key = key;
    this.#hmac = fixedKeyHmac(key);
    this.#purpose = purpose;
  }

  #mac(payload: string): Buffer {
    return this.#hmac(`${this.#purpose}\0${payload}`, "buffer");
  }

  #payload(value: unknown): string {
    return Buffer.from(JSON.stringify(value)).toString("base64url");
  }

  encode(value: unknown): string {
    const payload = this.#payload(value);
    return `${payload}.${this.#mac(payload).toString("base64url")}`;
  }

  /** The tokens of many values, in order, their MACs computed by `macMany` where it can. */
  async encodeMany(values: readonly unknown[], macMany: MacMany): Promise<string[]> {
    const payloads = values.map((value) => this.#payload(value));
    const macs = await macMany(
      this.#key,
      payloads.map((payload) => `${this.#purpose}\0${payload}`),
    );
    const ok = macs?.length === payloads.length * macChars;
    return payloads.map((payload, i) => {
      const mac = ok
        ? macs.slice(i * macChars, (i + 1) * macChars)
        : this.#mac(payload).toString("base64url");
      return `${payload}.${mac}`;
    });
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
