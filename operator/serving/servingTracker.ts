// What each server's ready pods report on their ops port, kept current the way an informer keeps
// objects: each server's pods are asked again when its pods or its config Secret change, every
// second while a pod has not caught up with the written configuration (the kubelet delivers a
// changed Secret after up to a minute), and every so often otherwise (table health changes too).
// Reconcilers read the last reports; a changed report asks them to judge again.
import type { V1Pod } from "@kubernetes/client-node";
import { fetchStatusDocument, type StatusDocument } from "./opsStatus.ts";

export interface PodReport {
  name: string;
  /** What the pod's ops port answered, or why it did not. */
  status: StatusDocument | { error: string };
}

export interface ServingReport {
  /** The server's ready pods, each with what it said. */
  pods: PodReport[];
}

export interface TrackerOptions {
  /** The server's pods, from the pod cache. */
  podsOf: (serverKey: string) => V1Pod[];
  /** SHA-256 of the configuration written for the server, when there is one. */
  writtenSha256: (serverKey: string) => string | undefined;
  /** Called when a server's report changed. */
  changed: (serverKey: string) => void;
  catchUpMs?: number;
  steadyMs?: number;
}

export const defaultOpsPort = 9090;

export function isPodReady(pod: V1Pod): boolean {
  return (
    pod.metadata?.deletionTimestamp === undefined &&
    typeof pod.status?.podIP === "string" &&
    pod.status.podIP !== "" &&
    pod.status.conditions?.some((condition) => condition.type === "Ready" && condition.status === "True") ===
      true
  );
}

export function opsUrlOf(pod: V1Pod): string {
  const port =
    pod.spec?.containers
      .flatMap((container) => container.ports ?? [])
      .find((candidate) => candidate.name === "ops")?.containerPort ?? defaultOpsPort;
  const ip = pod.status?.podIP ?? "";
  return `http://${ip.includes(":") ? `[${ip}]` : ip}:${port}`;
}

// What shares and recipients are judged by: not when a pod loaded or probed, which changes with
// every periodic probe and would ask every recipient to judge again for nothing.
const fingerprint = (report: ServingReport) =>
  JSON.stringify(
    report.pods.map(({ name, status }) =>
      "error" in status
        ? [name, status.error]
        : [
            name,
            status.config.sha256,
            status.tables.map((table) => [
              table.share,
              table.schema,
              table.table,
              table.location,
              table.state,
              table.message,
            ]),
            (status.discovered ?? []).map((entry) => [entry.share, entry.schema, entry.tables, entry.error]),
            (status.filters ?? []).map((filter) => [
              filter.share,
              filter.schema,
              filter.table,
              filter.ok,
              filter.message,
            ]),
          ],
    ),
  );

function caughtUp(report: ServingReport, sha256: string | undefined): boolean {
  return report.pods.every(
    (pod) =>
      "config" in pod.status &&
      pod.status.config.sha256 === sha256 &&
      pod.status.tables.every((table) => table.state !== "pending"),
  );
}

interface Tracked {
  report?: ServingReport;
  timer?: NodeJS.Timeout;
  dueAt: number;
  polling: boolean;
  again: boolean;
}

export class ServingTracker {
  readonly #options: TrackerOptions;
  readonly #servers = new Map<string, Tracked>();
  #stopped = false;

  constructor(options: TrackerOptions) {
    this.#options = options;
  }

  /** The last report of a server's ready pods; undefined until they were first asked. */
  report(serverKey: string): ServingReport | undefined {
    return this.#servers.get(serverKey)?.report;
  }

  /** Asks the server's pods again soon (something they serve or what they are may have changed). */
  poke(serverKey: string, delayMs = 50): void {
    if (this.#stopped) return;
    let tracked = this.#servers.get(serverKey);
    if (tracked === undefined) {
      tracked = { dueAt: Number.POSITIVE_INFINITY, polling: false, again: false };
      this.#servers.set(serverKey, tracked);
    }
    if (tracked.polling) {
      tracked.again = true;
      return;
    }
    const dueAt = Date.now() + delayMs;
    if (tracked.timer !== undefined && tracked.dueAt <= dueAt) return;
    clearTimeout(tracked.timer);
    tracked.dueAt = dueAt;
    tracked.timer = setTimeout(() => void this.#poll(serverKey), delayMs);
    tracked.timer.unref();
  }

  forget(serverKey: string): void {
    clearTimeout(this.#servers.get(serverKey)?.timer);
    this.#servers.delete(serverKey);
  }

  stop(): void {
    this.#stopped = true;
    for (const key of [...this.#servers.keys()]) this.forget(key);
  }

  async #poll(serverKey: string): Promise<void> {
    const tracked = this.#servers.get(serverKey);
    if (tracked === undefined || this.#stopped) return;
    tracked.timer = undefined;
    tracked.dueAt = Number.POSITIVE_INFINITY;
    tracked.polling = true;
    const ready = this.#options.podsOf(serverKey).filter(isPodReady);
    const pods = await Promise.all(
      ready.map(async (pod) => ({
        name: pod.metadata?.name ?? "",
        status: await fetchStatusDocument(opsUrlOf(pod)),
      })),
    );
    pods.sort((a, b) => a.name.localeCompare(b.name));
    const report: ServingReport = { pods };
    tracked.polling = false;
    if (this.#servers.get(serverKey) !== tracked || this.#stopped) return;
    const before = tracked.report;
    tracked.report = report;
    const settled = caughtUp(report, this.#options.writtenSha256(serverKey));
    const again = tracked.again;
    tracked.again = false;
    if (again) this.poke(serverKey);
    else
      this.poke(serverKey, settled ? (this.#options.steadyMs ?? 15_000) : (this.#options.catchUpMs ?? 1000));
    if (before === undefined || fingerprint(before) !== fingerprint(report)) this.#options.changed(serverKey);
  }
}
