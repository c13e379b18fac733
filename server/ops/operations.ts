// What the server keeps for its whole life, across configuration reloads: metrics, audit sinks,
// rate-limit buckets (per recipient, and per client address for failed authentication), the
// readiness probe's cache, the tables' health and the token issuers' keys.
import { IssuerRegistry } from "../auth/issuerRegistry.ts";
import { AuditSinks } from "./audit.ts";
import { Metrics } from "./metrics.ts";
import { RateLimiter } from "./rateLimit.ts";
import { Readiness } from "./readiness.ts";
import { TableHealthMonitor } from "./tableHealth.ts";

export interface Operations {
  metrics: Metrics;
  audit: AuditSinks;
  rateLimiter: RateLimiter;
  /** Failed authentications by client address. */
  authFailureLimiter: RateLimiter;
  readiness: Readiness;
  tableHealth: TableHealthMonitor;
  issuers: IssuerRegistry;
}

export function createOperations(): Operations {
  const metrics = new Metrics();
  const issuers = new IssuerRegistry();
  metrics.issuerStates = () => issuers.states();
  return {
    metrics,
    audit: new AuditSinks(() => metrics.auditDropped.inc()),
    rateLimiter: new RateLimiter(),
    authFailureLimiter: new RateLimiter(),
    readiness: new Readiness(),
    tableHealth: new TableHealthMonitor(metrics),
    issuers,
  };
}
