// The server's Prometheus metrics, in a registry of its own (two servers in one process do not
// collide). Labels are bounded: route patterns rather than URLs, and recipient names from the
// configuration ("-" before one is known).
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export class Metrics {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: "delta_sharing_requests_total",
    help: "Requests answered, by route pattern, method, status and recipient.",
    labelNames: ["route", "method", "status", "recipient"] as const,
    registers: [this.registry],
  });

  readonly requestDuration = new Histogram({
    name: "delta_sharing_request_duration_seconds",
    help: "Time from a request's arrival to the end of its response, by route pattern and method.",
    labelNames: ["route", "method"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly filesSigned = new Counter({
    name: "delta_sharing_files_signed_total",
    help: "Data file URLs handed out, by recipient.",
    labelNames: ["recipient"] as const,
    registers: [this.registry],
  });

  readonly snapshotCache = new Counter({
    name: "delta_sharing_snapshot_cache_total",
    help: "Snapshot cache lookups by result (hit: a cached snapshot was reused or refreshed).",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });

  readonly configReloads = new Counter({
    name: "delta_sharing_config_reloads_total",
    help: "Configuration reloads by result (applied, refused).",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });

  readonly configLastReloadSuccess = new Gauge({
    name: "delta_sharing_config_last_reload_successful",
    help: "1 when the last configuration change was applied, 0 when it was refused.",
    registers: [this.registry],
  });

  readonly unusableHints = new Counter({
    name: "delta_sharing_predicate_hints_unusable_total",
    help: "Predicate hints that could not be used to skip files, by kind of hint.",
    labelNames: ["hint"] as const,
    registers: [this.registry],
  });

  readonly authFailures = new Counter({
    name: "delta_sharing_auth_failures_total",
    help: "Requests refused before reaching a share: unauthenticated, expired, forbidden address.",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });

  readonly rateLimited = new Counter({
    name: "delta_sharing_rate_limited_total",
    help: "Requests refused with 429 by the per-recipient rate limit.",
    labelNames: ["recipient"] as const,
    registers: [this.registry],
  });

  readonly storageReady = new Gauge({
    name: "delta_sharing_storage_ready",
    help: "1 when every storage root answered the last readiness probe.",
    registers: [this.registry],
  });

  readonly tableHealthy = new Gauge({
    name: "delta_sharing_table_healthy",
    help: "1 when the table's _delta_log was read at the last probe, 0 when it is missing or unreadable.",
    labelNames: ["share", "schema", "table"] as const,
    registers: [this.registry],
  });

  readonly authFailuresLimited = new Counter({
    name: "delta_sharing_auth_failures_limited_total",
    help: "Requests refused with 429 because their client address failed authentication too often.",
    registers: [this.registry],
  });

  readonly auditDropped = new Counter({
    name: "delta_sharing_audit_events_dropped_total",
    help: "Audit events dropped because the audit destination did not keep up.",
    registers: [this.registry],
  });

  readonly memoryRefusals = new Counter({
    name: "delta_sharing_memory_refusals_total",
    help: "Snapshot builds and answers refused because they did not fit the memory budget, by table.",
    labelNames: ["table"] as const,
    registers: [this.registry],
  });

  readonly memoryBudget = new Gauge({
    name: "delta_sharing_memory_budget_bytes",
    help: "The memory budget for table snapshots and answers.",
    registers: [this.registry],
  });

  /** Where the reserved-memory gauge reads from when scraped. */
  memoryReservedSource: () => number = () => 0;

  readonly memoryReserved: Gauge = new Gauge({
    name: "delta_sharing_memory_reserved_bytes",
    help: "Memory of the budget held by cached snapshots, snapshot builds and answers.",
    registers: [this.registry],
    collect: (): void => this.memoryReserved.set(this.memoryReservedSource()),
  });

  /** The token issuers' states, read at each scrape; set by whoever holds the issuers. */
  issuerStates: () => readonly { issuer: string; keys: number }[] = () => [];

  readonly issuerKeysUsable: Gauge<"issuer"> = new Gauge({
    name: "delta_sharing_issuer_keys_usable",
    help: "1 while a token issuer's fetched keys are fresh enough to verify its tokens; 0 while not (its recipients get 503).",
    labelNames: ["issuer"] as const,
    registers: [this.registry],
    collect: () => {
      this.issuerKeysUsable.reset();
      for (const state of this.issuerStates()) {
        this.issuerKeysUsable.set({ issuer: state.issuer }, state.keys > 0 ? 1 : 0);
      }
    },
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
