// Snapshots cached per table and brought up to date incrementally: a request on an unchanged table
// costs one listing of the log tail, a new commit one small read. Concurrent requests for the same
// table share one refresh. Least recently used tables are evicted past the size limit.
import type { TableStorage } from "../storage/storage.ts";
import type { Snapshot } from "./snapshot.ts";
import { loadSnapshot, refreshSnapshot } from "./snapshotLoader.ts";

export interface SnapshotCacheEvents {
  hit?: () => void;
  miss?: () => void;
}

interface Entry {
  snapshot: Snapshot;
  location: string;
}

export class SnapshotCache {
  readonly #entries = new Map<string, Entry>();
  readonly #inFlight = new Map<string, Promise<Snapshot>>();
  readonly #maxEntries: number;
  readonly #events: SnapshotCacheEvents;

  constructor(maxEntries: number, events: SnapshotCacheEvents = {}) {
    this.#maxEntries = maxEntries;
    this.#events = events;
  }

  /** The cached snapshot without looking at the log (for tables configured as static). */
  cachedOrLatest(tableId: string, storage: TableStorage): Promise<Snapshot> {
    const usable = this.#usable(tableId, storage);
    if (!usable) return this.latest(tableId, storage);
    this.#events.hit?.();
    this.#touch(tableId, usable);
    return Promise.resolve(usable.snapshot);
  }

  /** The newest snapshot of the table. */
  latest(tableId: string, storage: TableStorage): Promise<Snapshot> {
    const usable = this.#usable(tableId, storage);
    const running = this.#inFlight.get(tableId);
    if (running) return running;
    if (usable) this.#events.hit?.();
    else this.#events.miss?.();
    const work = (usable ? refreshSnapshot(storage, usable.snapshot) : loadSnapshot(storage))
      .then((snapshot) => {
        this.#touch(tableId, { snapshot, location: storage.location });
        return snapshot;
      })
      .finally(() => this.#inFlight.delete(tableId));
    this.#inFlight.set(tableId, work);
    return work;
  }

  /** The last snapshot seen, if any: used to keep serving metadata while storage is down. */
  peek(tableId: string): Snapshot | undefined {
    return this.#entries.get(tableId)?.snapshot;
  }

  #usable(tableId: string, storage: TableStorage): Entry | undefined {
    const cached = this.#entries.get(tableId);
    return cached && cached.location === storage.location ? cached : undefined;
  }

  #touch(tableId: string, entry: Entry): void {
    this.#entries.delete(tableId);
    this.#entries.set(tableId, entry);
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }
}
