// Leader election on a coordination.k8s.io Lease, so that two operator replicas are safe: only
// the holder reconciles. As in client-go, a lease counts as expired only after this process has
// watched it unchanged for its whole duration (its own clock, never the holder's), and a leader
// that cannot renew within renewDeadline stops leading before anyone else can take over.
// Leadership lost is not fatal: the controllers stop and the process campaigns again.
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { isConflict, isNotFound, type KubeClient } from "../kube/client.ts";
import { collectionPath, objectPath, resourceTypes } from "../kube/resourceTypes.ts";

export interface LeaderElectionOptions {
  client: KubeClient;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  logger: Logger;
}

export interface LeaderCallbacks {
  /** Called on winning; the signal aborts when leadership ends. Must return once it has stopped. */
  lead: (signal: AbortSignal) => Promise<void>;
  onChange?: (leading: boolean) => void;
}

interface Lease {
  apiVersion: "coordination.k8s.io/v1";
  kind: "Lease";
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number;
    acquireTime?: string | null;
    renewTime?: string | null;
    leaseTransitions?: number;
  };
}

// Lease times are MicroTime: RFC 3339 with microseconds.
const microTime = (date: Date) => date.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");

export class LeaderElector {
  readonly #options: LeaderElectionOptions;
  #observed: { record: string; at: number } | undefined;

  constructor(options: LeaderElectionOptions) {
    this.#options = options;
  }

  get #path(): string {
    return objectPath(resourceTypes.lease, this.#options.namespace, this.#options.name);
  }

  /** Campaigns, leads, and campaigns again after a loss, until the signal aborts; then releases the lease. */
  async run(callbacks: LeaderCallbacks, signal: AbortSignal): Promise<void> {
    const { logger, identity, retryPeriodMs } = this.#options;
    while (!signal.aborted) {
      if (!(await this.#tryAcquireOrRenew().catch((error) => this.#logFailure(error)))) {
        await sleep(retryPeriodMs * (1 + Math.random() * 0.2), undefined, { signal }).catch(() => undefined);
        continue;
      }
      logger.info({ identity, lease: this.#options.name }, "became leader");
      callbacks.onChange?.(true);
      const leadership = new AbortController();
      const stopped = AbortSignal.any([signal, leadership.signal]);
      const leading = callbacks.lead(stopped).catch((error) => {
        logger.error({ err: error instanceof Error ? error.message : String(error) }, "controllers failed");
      });
      await this.#renewUntilLost(stopped);
      leadership.abort();
      await leading;
      callbacks.onChange?.(false);
      if (signal.aborted) {
        await this.#release().catch((error) => this.#logFailure(error));
        logger.info({ identity }, "released leadership");
        return;
      }
      logger.warn({ identity }, "lost leadership; campaigning again");
    }
  }

  async #renewUntilLost(signal: AbortSignal): Promise<void> {
    const { renewDeadlineMs, retryPeriodMs } = this.#options;
    let lastRenewal = Date.now();
    while (!signal.aborted) {
      await sleep(retryPeriodMs, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return;
      const renewed = await this.#tryAcquireOrRenew().catch((error) => this.#logFailure(error));
      if (renewed) {
        lastRenewal = Date.now();
      } else if (Date.now() - lastRenewal > renewDeadlineMs) {
        return;
      }
    }
  }

  #logFailure(error: unknown): false {
    this.#options.logger.warn(
      { err: error instanceof Error ? error.message : String(error), lease: this.#options.name },
      "lease request failed",
    );
    return false;
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const { client, namespace, name, identity, leaseDurationMs, retryPeriodMs } = this.#options;
    // a lease request must never outlast the time this leader may still act on its lease
    const timing = { timeoutMs: retryPeriodMs };
    const now = new Date();
    const leaseDurationSeconds = Math.max(1, Math.round(leaseDurationMs / 1000));
    let lease: Lease;
    try {
      lease = await client.get<Lease>(this.#path, timing);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      const fresh: Lease = {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name, namespace },
        spec: {
          holderIdentity: identity,
          leaseDurationSeconds,
          acquireTime: microTime(now),
          renewTime: microTime(now),
          leaseTransitions: 0,
        },
      };
      try {
        await client.create(collectionPath(resourceTypes.lease, namespace), fresh, timing);
        return true;
      } catch (createError) {
        if (isConflict(createError)) return false;
        throw createError;
      }
    }
    const spec = lease.spec;
    const holder = spec.holderIdentity ?? "";
    const record = JSON.stringify([holder, spec.renewTime, spec.leaseDurationSeconds]);
    if (this.#observed?.record !== record) this.#observed = { record, at: Date.now() };
    const heldByMe = holder === identity;
    const expired =
      holder === "" ||
      Date.now() >= this.#observed.at + (spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
    if (!heldByMe && !expired) return false;
    const next: Lease = {
      ...lease,
      spec: {
        ...spec,
        holderIdentity: identity,
        leaseDurationSeconds,
        renewTime: microTime(now),
        acquireTime: heldByMe ? spec.acquireTime : microTime(now),
        leaseTransitions: heldByMe ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1,
      },
    };
    try {
      const written = await client.replace<Lease>(this.#path, next, timing);
      this.#observed = {
        record: JSON.stringify([identity, written.spec.renewTime, written.spec.leaseDurationSeconds]),
        at: Date.now(),
      };
      return true;
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
  }

  async #release(): Promise<void> {
    const lease = await this.#options.client.get<Lease>(this.#path);
    if (lease.spec.holderIdentity !== this.#options.identity) return;
    await this.#options.client.replace(this.#path, {
      ...lease,
      spec: {
        ...lease.spec,
        holderIdentity: null,
        leaseDurationSeconds: 1,
        renewTime: microTime(new Date()),
      },
    });
  }
}
