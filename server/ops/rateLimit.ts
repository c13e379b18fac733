// Per-recipient rate limit: a token bucket per recipient, refilled at the configured rate up to
// the burst size. The buckets live for the whole process, so a configuration reload neither resets
// a recipient's allowance nor forgets it; the rate and burst are read from the configuration in
// force for each request.
import { Value } from "@sinclair/typebox/value";
import { RateLimitConfig } from "../config/schema.ts";

export const defaultRateLimit: RateLimitConfig = Value.Default(RateLimitConfig, {}) as RateLimitConfig;

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #maxBuckets: number;

  constructor(maxBuckets = 100_000) {
    this.#maxBuckets = maxBuckets;
  }

  /** Takes one request from the key's bucket, when one is left. */
  take(key: string, limit: RateLimitConfig, now = Date.now()): RateDecision {
    return this.#decide(key, limit, now, true);
  }

  /** Whether the key's bucket has a request left, taking none (a limit on failures, checked first). */
  peek(key: string, limit: RateLimitConfig, now = Date.now()): RateDecision {
    return this.#decide(key, limit, now, false);
  }

  #decide(key: string, limit: RateLimitConfig, now: number, taking: boolean): RateDecision {
    if (limit.requestsPerSecond <= 0) return { allowed: true };
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      if (!taking) return { allowed: true };
      if (this.#buckets.size >= this.#maxBuckets) this.#buckets.clear();
      bucket = { tokens: limit.burst, updatedAt: now };
      this.#buckets.set(key, bucket);
    }
    const elapsed = Math.max(0, now - bucket.updatedAt) / 1000;
    bucket.tokens = Math.min(limit.burst, bucket.tokens + elapsed * limit.requestsPerSecond);
    bucket.updatedAt = now;
    if (bucket.tokens >= 1) {
      if (taking) bucket.tokens -= 1;
      return { allowed: true };
    }
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / limit.requestsPerSecond)),
    };
  }
}
