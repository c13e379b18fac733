// Every trusted token issuer the configuration names, with its keys. Kept for the server's whole
// life, so a configuration reload keeps the keys already fetched; an issuer no recipient names any
// more is forgotten, and a new one has its keys fetched at once, not on its first token.
import type { ServerConfig } from "../config/schema.ts";
import { defaultFederation, IssuerKeys, type IssuerState, issuerSettings } from "./issuerKeys.ts";

const keyOf = (issuer: string, jwksUri: string | undefined) => JSON.stringify([issuer, jwksUri ?? null]);

export class IssuerRegistry {
  readonly #issuers = new Map<string, IssuerKeys>();
  #settings = issuerSettings(defaultFederation);

  /** The issuers of this configuration, kept or made; the others are dropped. */
  follow(config: ServerConfig): void {
    const settings = issuerSettings(config.federation ?? defaultFederation);
    this.#settings = settings;
    const wanted = new Map<string, { issuer: string; jwksUri?: string | undefined }>();
    for (const recipient of config.recipients ?? []) {
      const policy = recipient.federation;
      if (policy) wanted.set(keyOf(policy.issuer, policy.jwksUri), policy);
    }
    for (const key of this.#issuers.keys()) if (!wanted.has(key)) this.#issuers.delete(key);
    for (const [key, { issuer, jwksUri }] of wanted) {
      const known = this.#issuers.get(key);
      if (known) {
        known.settings = settings;
        continue;
      }
      const keys = new IssuerKeys(issuer, jwksUri, settings);
      this.#issuers.set(key, keys);
      // fetched ahead of the first token; a failure is kept in the issuer's state
      keys.refresh().catch(() => undefined);
    }
  }

  /** The issuer's keys; made (empty, fetched on first use) for an issuer not followed yet. */
  keysOf(issuer: string, jwksUri: string | undefined): IssuerKeys {
    const key = keyOf(issuer, jwksUri);
    let keys = this.#issuers.get(key);
    if (!keys) {
      keys = new IssuerKeys(issuer, jwksUri, this.#settings);
      this.#issuers.set(key, keys);
    }
    return keys;
  }

  states(): IssuerState[] {
    return [...this.#issuers.values()].map((keys) => keys.state());
  }
}
