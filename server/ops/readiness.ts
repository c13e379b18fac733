// Readiness: a configuration is loaded and storage answers. Each distinct storage root (an S3
// bucket, a local table folder) is probed through one of its tables with a short timeout; the
// answer is kept a few seconds so frequent probes from Kubernetes cost little, and concurrent
// checks share one round of probes. Storage that answers but refuses (access denied, no such
// table) is reported but does not make the server unready: that is a problem of one table, not a
// reason to take every replica out of service.
import type { ServerContext } from "../context.ts";
import { StorageUnavailableError } from "../storage/storage.ts";

export interface RootReport {
  root: string;
  reachable: boolean;
  error?: string;
}

export interface ReadinessReport {
  ready: boolean;
  checkedAt: string;
  storage: RootReport[];
}

interface Options {
  probeTimeoutMs: number;
  cacheMs: number;
}

class ProbeTimeout extends Error {}

function rootOf(location: string): string {
  const s3 = /^(s3a?):\/\/([^/]+)/.exec(location);
  return s3 ? `s3://${s3[2]}` : location;
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export class Readiness {
  readonly #options: Options;
  #last: { context: ServerContext; at: number; report: ReadinessReport } | undefined;
  #running: { context: ServerContext; work: Promise<ReadinessReport> } | undefined;

  constructor(options: Partial<Options> = {}) {
    this.#options = { probeTimeoutMs: options.probeTimeoutMs ?? 2000, cacheMs: options.cacheMs ?? 3000 };
  }

  check(context: ServerContext): Promise<ReadinessReport> {
    const last = this.#last;
    if (last && last.context === context && Date.now() - last.at < this.#options.cacheMs) {
      return Promise.resolve(last.report);
    }
    if (this.#running?.context === context) return this.#running.work;
    const work = this.#probe(context).finally(() => {
      if (this.#running?.work === work) this.#running = undefined;
    });
    this.#running = { context, work };
    return work;
  }

  async #probe(context: ServerContext): Promise<ReadinessReport> {
    const tableOfRoot = new Map<string, Parameters<ServerContext["storageOf"]>[0]>();
    for (const table of context.catalog.allTables()) {
      const root = rootOf(table.location);
      if (!tableOfRoot.has(root)) tableOfRoot.set(root, table);
    }
    const storage = await Promise.all(
      [...tableOfRoot].map(async ([root, table]): Promise<RootReport> => {
        try {
          await withTimeout(context.storageOf(table).probe(), this.#options.probeTimeoutMs);
          return { root, reachable: true };
        } catch (error) {
          const unreachable = error instanceof StorageUnavailableError || error instanceof ProbeTimeout;
          const message = error instanceof Error ? error.message : String(error);
          return { root, reachable: !unreachable, error: message };
        }
      }),
    );
    const report = {
      ready: storage.every((root) => root.reachable),
      checkedAt: new Date().toISOString(),
      storage,
    };
    this.#last = { context, at: Date.now(), report };
    return report;
  }
}
