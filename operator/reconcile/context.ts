// What every reconciler works with: the caches, the API client, events, metrics and the clock.
// Reconcilers read only from the caches and write only through the client.
import type {
  V1Deployment,
  V1Ingress,
  V1Pod,
  V1PodDisruptionBudget,
  V1Secret,
  V1Service,
  V1ServiceAccount,
} from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { DeltaRecipient, DeltaShare, DeltaSharingServer } from "../api/kinds.ts";
import type { KubeClient } from "../kube/client.ts";
import type { Informer } from "../kube/informer.ts";
import type { KubeObject } from "../kube/objects.ts";
import type { EventRecorder } from "../runtime/events.ts";
import type { OperatorMetrics } from "../runtime/metrics.ts";
import type { ServingReport } from "../serving/servingTracker.ts";

export type Cached<T> = T & KubeObject;

export interface Caches {
  servers: Informer<DeltaSharingServer>;
  shares: Informer<DeltaShare>;
  recipients: Informer<DeltaRecipient>;
  secrets: Informer<Cached<V1Secret>>;
  serviceAccounts: Informer<Cached<V1ServiceAccount>>;
  services: Informer<Cached<V1Service>>;
  deployments: Informer<Cached<V1Deployment>>;
  podDisruptionBudgets: Informer<Cached<V1PodDisruptionBudget>>;
  ingresses: Informer<Cached<V1Ingress>>;
  /** The servers' pods (read only: the operator asks them what they serve). */
  pods: Informer<Cached<V1Pod>>;
}

/** What each server's ready pods last reported on their ops port, by server key. */
export interface ServingReports {
  report: (serverKey: string) => ServingReport | undefined;
  /** Ask the server's pods again soon. */
  poke: (serverKey: string) => void;
}

export interface Enqueue {
  server: (key: string) => void;
  /** Re-render the server's configuration shortly, together with other changes arriving meanwhile. */
  serverSoon: (key: string) => void;
  share: (key: string) => void;
  recipient: (key: string) => void;
}

export interface ReconcileContext {
  client: KubeClient;
  caches: Caches;
  events: EventRecorder;
  metrics: OperatorMetrics;
  serving: ServingReports;
  logger: Logger;
  enqueue: Enqueue;
  now: () => Date;
  /** A recipient bearer token: 256 bits from a cryptographic random source. */
  makeToken: () => string;
  /** A signing key for a server's page tokens and file URLs. */
  makeSigningKey: () => string;
  defaultImage: string;
  /** The ClusterRole servers with activation links are bound to ("" when the installation has none). */
  activationClusterRole: string;
}

export interface ReconcileResult {
  /** Reconcile again after this long even if nothing changes (token expiry, grace periods). */
  requeueAfterMs?: number;
}

export type Reconciler = (key: string) => Promise<ReconcileResult>;
