// The signing keys of one trusted token issuer: found through its OpenID discovery document (or a
// configured JWKS URL), fetched with a timeout, used for a bounded time, refetched when a token
// names a key we do not hold (a rotation), and never fetched more often than the cooldown allows,
// whatever tokens arrive. While the issuer cannot be reached, keys already fetched keep serving
// until their cache lifetime ends; after that its tokens get 503, never a guess.

import { Value } from "@sinclair/typebox/value";
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWSHeaderParameters } from "jose";
import { FederationConfig } from "../config/federationSchema.ts";

export const defaultFederation = Value.Default(FederationConfig, {}) as FederationConfig;

export type KeyLookup = ReturnType<typeof createLocalJWKSet>;

export interface IssuerSettings {
  cacheMs: number;
  cooldownMs: number;
  timeoutMs: number;
}

export const issuerStates = ["pending", "ok", "degraded", "unavailable"] as const;
export type IssuerStateName = (typeof issuerStates)[number];

export interface IssuerState {
  issuer: string;
  jwksUri: string | null;
  state: IssuerStateName;
  keys: number;
  fetchedAt: string | null;
  keysExpireAt: string | null;
  error: string | null;
  checkedAt: string | null;
}

/** The issuer's keys cannot be had now; `retryAfterSeconds` says when asking again may help. */
export class IssuerUnavailableError extends Error {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.name = "IssuerUnavailableError";
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export function issuerSettings(config: FederationConfig): IssuerSettings {
  return {
    cacheMs: config.keysCacheSeconds * 1000,
    cooldownMs: config.refreshCooldownSeconds * 1000,
    timeoutMs: config.fetchTimeoutMs,
  };
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

async function fetchJson(url: string, timeoutMs: number): Promise<unknown> {
  const response = await fetch(url, {
    headers: { accept: "application/json" },
    redirect: "manual",
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}

export class IssuerKeys {
  readonly issuer: string;
  readonly configuredJwksUri: string | undefined;
  settings: IssuerSettings;
  #jwksUri: string | undefined;
  #lookup: KeyLookup | undefined;
  #keyCount = 0;
  #fetchedAt: number | undefined;
  #attemptedAt: number | undefined;
  #error: string | undefined;
  #pending: Promise<void> | undefined;

  constructor(issuer: string, jwksUri: string | undefined, settings: IssuerSettings) {
    this.issuer = issuer;
    this.configuredJwksUri = jwksUri;
    this.#jwksUri = jwksUri;
    this.settings = settings;
  }

  #fresh(now: number): boolean {
    return this.#fetchedAt !== undefined && now < this.#fetchedAt + this.settings.cacheMs;
  }

  #coolingDown(now: number): boolean {
    return this.#attemptedAt !== undefined && now < this.#attemptedAt + this.settings.cooldownMs;
  }

  #unavailable(now: number): IssuerUnavailableError {
    const waitMs = this.#attemptedAt === undefined ? 0 : this.#attemptedAt + this.settings.cooldownMs - now;
    return new IssuerUnavailableError(
      `the keys of token issuer ${this.issuer} cannot be fetched: ${this.#error ?? "no answer yet"}`,
      Math.max(1, Math.ceil(waitMs / 1000)),
    );
  }

  async #discoverJwksUri(): Promise<string> {
    if (this.configuredJwksUri !== undefined) return this.configuredJwksUri;
    const url = `${this.issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
    const document = (await fetchJson(url, this.settings.timeoutMs)) as {
      issuer?: unknown;
      jwks_uri?: unknown;
    };
    // OpenID Connect Discovery: the document must name the very issuer it was fetched for
    if (document.issuer !== this.issuer) throw new Error(`${url} names another issuer`);
    if (typeof document.jwks_uri !== "string" || !/^https?:\/\//.test(document.jwks_uri)) {
      throw new Error(`${url} names no jwks_uri`);
    }
    return document.jwks_uri;
  }

  async #fetch(): Promise<void> {
    this.#attemptedAt = Date.now();
    try {
      const jwksUri = await this.#discoverJwksUri();
      const jwks = (await fetchJson(jwksUri, this.settings.timeoutMs)) as JSONWebKeySet;
      const lookup = createLocalJWKSet(jwks);
      this.#jwksUri = jwksUri;
      this.#lookup = lookup;
      this.#keyCount = jwks.keys.length;
      this.#fetchedAt = Date.now();
      this.#error = undefined;
    } catch (error) {
      this.#error = error instanceof Error ? error.message : String(error);
      throw this.#unavailable(Date.now());
    }
  }

  /**
   * Fetches the keys now, unless a fetch is running (then waits for it) or the last one failed
   * within the cooldown. (A token naming an unknown key asks only past the cooldown, failed or not.)
   */
  refresh(): Promise<void> {
    if (this.#pending) return this.#pending;
    const now = Date.now();
    if (this.#error !== undefined && this.#coolingDown(now)) return Promise.reject(this.#unavailable(now));
    const work = this.#fetch().finally(() => {
      if (this.#pending === work) this.#pending = undefined;
    });
    this.#pending = work;
    return work;
  }

  /** The key that verifies a token with this header, for jose's jwtVerify. */
  readonly key = async (header: JWSHeaderParameters, token: unknown) => {
    if (!this.#fresh(Date.now())) await this.refresh();
    const lookup = this.#lookup;
    if (!lookup || !this.#fresh(Date.now())) throw this.#unavailable(Date.now());
    try {
      return await lookup(header, token as Parameters<KeyLookup>[1]);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      // a key we do not hold: the issuer may have rotated; ask it, at most once per cooldown
      if (this.#coolingDown(Date.now())) {
        if (this.#error !== undefined) throw this.#unavailable(Date.now());
        throw error;
      }
      await this.refresh();
      return (this.#lookup ?? lookup)(header, token as Parameters<KeyLookup>[1]);
    }
  };

  #stateName(fresh: boolean): IssuerStateName {
    if (this.#attemptedAt === undefined || (this.#pending && this.#fetchedAt === undefined)) return "pending";
    if (!fresh) return "unavailable";
    return this.#error === undefined ? "ok" : "degraded";
  }

  state(now = Date.now()): IssuerState {
    const fresh = this.#fresh(now);
    return {
      issuer: this.issuer,
      jwksUri: this.#jwksUri ?? null,
      state: this.#stateName(fresh),
      keys: fresh ? this.#keyCount : 0,
      fetchedAt: iso(this.#fetchedAt),
      keysExpireAt: iso(this.#fetchedAt === undefined ? undefined : this.#fetchedAt + this.settings.cacheMs),
      error: this.#error ?? null,
      checkedAt: iso(this.#attemptedAt),
    };
  }
}
