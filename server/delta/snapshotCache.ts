// Snapshots cached per table and brought up to date incrementally: a request on an unchanged table
// costs one listing of the log tail, a new commit one small read. Concurrent requests for the same
// table share one refresh. Least recently used tables are evicted past the size limit, and to make
// room in the memory budget: every cached snapshot holds a reservation of the bytes it keeps, and a
// build is admitted only when its estimate fits.
import { MemoryBudget, type Reservation } from "../ops/memoryBudget.ts";
import type { TableStorage } from "../storage/storage.ts";
import type { Snapshot } from "./snapshot.ts";
import { type AdmitBuild, loadSnapshot, refreshSnapshot } from "./snapshotLoader.ts";

export interface SnapshotCacheEvents {
  hit?: () => void;
  miss?: () => void;
}

interface Entry {
  snapshot: Snapshot;
  location: string;
  held: Reservation;
}

/** A build's admission: what it reserved while running, released when it ends. */
interface Admission {
  admit: AdmitBuild;
  release: () => void;
}

export class SnapshotCache {
  readonly #entries = new Map<string, Entry>();
  readonly #inFlight = new Map<string, Promise<Snapshot>>();
  readonly #maxEntries: number;
  readonly #events: SnapshotCacheEvents;
  readonly budget: MemoryBudget;

  constructor(maxEntries: number, events: SnapshotCacheEvents = {}, budget = new MemoryBudget()) {
    this.#maxEntries = maxEntries;
    this.#events = events;
    this.budget = budget;
  }

  /** The cached snapshot without looking at the log (for tables configured as static). */
  cachedOrLatest(tableId: string, storage: TableStorage, label = tableId): Promise<Snapshot> {
    const usable = this.#usable(tableId, storage);
    if (!usable) return this.latest(tableId, storage, label);
    this.#events.hit?.();
    this.#touch(tableId, usable);
    return Promise.resolve(usable.snapshot);
  }

  /** The newest snapshot of the table (`label` names it in refusals). */
  latest(tableId: string, storage: TableStorage, label = tableId): Promise<Snapshot> {
    const usable = this.#usable(tableId, storage);
    const running = this.#inFlight.get(tableId);
    if (running) return running;
    if (usable) this.#events.hit?.();
    else this.#events.miss?.();
    const admission = this.#admission(tableId, label);
    const build = usable
      ? refreshSnapshot(storage, usable.snapshot, admission.admit)
      : loadSnapshot(storage, undefined, admission.admit);
    const work = build
      .then((snapshot) => {
        const previous = this.#entries.get(tableId);
        if (previous?.snapshot !== snapshot) {
          previous?.held.release();
          const held = this.budget.hold(snapshot.files.byteSize);
          this.#touch(tableId, { snapshot, location: storage.location, held });
        } else {
          this.#touch(tableId, previous);
        }
        return snapshot;
      })
      .finally(() => {
        admission.release();
        this.#inFlight.delete(tableId);
      });
    this.#inFlight.set(tableId, work);
    return work;
  }

  /** A snapshot at an older version, admitted against the budget while it is built (not cached here). */
  async atVersion(
    tableId: string,
    storage: TableStorage,
    version: number,
    label = tableId,
  ): Promise<Snapshot> {
    const admission = this.#admission(tableId, label);
    try {
      return await loadSnapshot(storage, version, admission.admit);
    } finally {
      admission.release();
    }
  }

  /** The last snapshot seen, if any: used to keep serving metadata while storage is down. */
  peek(tableId: string): Snapshot | undefined {
    return this.#entries.get(tableId)?.snapshot;
  }

  #admission(tableId: string, label: string): Admission {
    let held: Reservation | undefined;
    return {
      admit: (bytes) => {
        held?.release();
        held = this.budget.reserve(`table ${label}`, bytes, label, (needed) => this.#evict(needed, tableId));
      },
      release: () => held?.release(),
    };
  }

  /** Evicts least recently used snapshots of other tables until `bytes` are freed or none is left. */
  #evict(bytes: number, keep: string): void {
    let freed = 0;
    for (const [tableId, entry] of this.#entries) {
      if (freed >= bytes) return;
      if (tableId === keep) continue;
      this.#entries.delete(tableId);
      entry.held.release();
      freed += entry.held.bytes;
    }
  }

  #usable(tableId: string, storage: TableStorage): Entry | undefined {
    const cached = this.#entries.get(tableId);
    return cached && cached.location === storage.location ? cached : undefined;
  }

  #touch(tableId: string, entry: Entry): void {
    this.#entries.delete(tableId);
    this.#entries.set(tableId, entry);
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.entries().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest[0]);
      oldest[1].held.release();
    }
  }
}
