// What the server keeps for its whole life, across configuration reloads: metrics, audit sinks,
// rate-limit buckets and the readiness probe's cache.
import { AuditSinks } from "./audit.ts";
import { Metrics } from "./metrics.ts";
import { RateLimiter } from "./rateLimit.ts";
import { Readiness } from "./readiness.ts";

export interface Operations {
  metrics: Metrics;
  audit: AuditSinks;
  rateLimiter: RateLimiter;
  readiness: Readiness;
}

export function createOperations(): Operations {
  return {
    metrics: new Metrics(),
    audit: new AuditSinks(),
    rateLimiter: new RateLimiter(),
    readiness: new Readiness(),
  };
}
