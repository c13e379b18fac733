// The operator's Prometheus metrics, in a registry of its own.
import { Counter, Gauge, Histogram, Registry } from "prom-client";

export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconciles = new Counter({
    name: "delta_sharing_operator_reconcile_total",
    help: "Reconciles by kind and result (success, error).",
    labelNames: ["kind", "result"] as const,
    registers: [this.registry],
  });
  readonly reconcileSeconds = new Histogram({
    name: "delta_sharing_operator_reconcile_duration_seconds",
    help: "Time one reconcile takes, by kind.",
    labelNames: ["kind"] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: "delta_sharing_operator_queue_depth",
    help: "Keys waiting in each kind's work queue.",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });
  readonly leader = new Gauge({
    name: "delta_sharing_operator_leader",
    help: "1 while this replica holds the leader lease.",
    registers: [this.registry],
  });
  readonly watchRestarts = new Counter({
    name: "delta_sharing_operator_watch_restarts_total",
    help: "Watches restarted, by resource and cause (rewatch after an error, relist after history expired).",
    labelNames: ["resource", "cause"] as const,
    registers: [this.registry],
  });
  /** When each recipient's current token expires (ms since the epoch), by "namespace/name". */
  readonly #tokenExpiries = new Map<string, number>();
  readonly tokenExpirySeconds = new Gauge({
    name: "delta_sharing_operator_token_expiry_seconds",
    help: "Seconds until each recipient's current token expires (negative once it has); absent for tokens that never expire.",
    labelNames: ["namespace", "recipient"] as const,
    registers: [this.registry],
    collect: () => this.#collectTokenExpiries(),
  });

  /** Records when a recipient's token expires; undefined for a token that never does. */
  setTokenExpiry(namespace: string, recipient: string, expiresAt: string | undefined): void {
    const key = `${namespace}/${recipient}`;
    if (expiresAt === undefined) {
      if (this.#tokenExpiries.delete(key)) this.tokenExpirySeconds.remove({ namespace, recipient });
      return;
    }
    this.#tokenExpiries.set(key, Date.parse(expiresAt));
  }

  #collectTokenExpiries(): void {
    const now = Date.now();
    for (const [key, expiresAt] of this.#tokenExpiries) {
      const [namespace = "", recipient = ""] = key.split("/");
      this.tokenExpirySeconds.set({ namespace, recipient }, Math.round((expiresAt - now) / 1000));
    }
  }

  readonly writes = new Counter({
    name: "delta_sharing_operator_api_writes_total",
    help: "Objects written to the API server, by resource.",
    labelNames: ["resource"] as const,
    registers: [this.registry],
  });
}
