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
  readonly writes = new Counter({
    name: "delta_sharing_operator_api_writes_total",
    help: "Objects written to the API server, by resource.",
    labelNames: ["resource"] as const,
    registers: [this.registry],
  });
}
