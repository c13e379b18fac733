// Presigned URLs kept for reuse: a later answer that hands out the same file gets the URL signed
// earlier while at least a configured share of its lifetime remains, with its true expiry, instead
// of a new signature. Bounded in bytes. When full, only entries past their reuse window make room
// (the oldest first: they were signed first); a new URL that finds no room is not kept. Evicting
// live entries instead would make a table larger than the cache miss on every file of every scan.
// Entries are grouped by scope (table, location, base URL, lifetime), so one lookup is one path.

interface CachedUrl {
  url: string;
  expiresAt: number;
}

interface OrderEntry {
  scope: Map<string, CachedUrl>;
  path: string;
  minRemainingMs: number;
}

/** Bytes an entry costs beyond its strings: the map slot and the entry object. */
const entryOverhead = 96;

export interface UrlReuse {
  /** A cached URL with at least the required lifetime left, if any. */
  get(path: string, now: number): CachedUrl | undefined;
  set(path: string, url: string, expiresAt: number): void;
}

export class PresignedUrlCache {
  readonly maxBytes: number;
  readonly minLifetimeShare: number;
  readonly #scopes = new Map<string, Map<string, CachedUrl>>();
  /** Insertion order across scopes, for eviction. */
  readonly #order: OrderEntry[] = [];
  #orderStart = 0;
  #bytes = 0;

  constructor(maxBytes: number, minLifetimeShare: number) {
    this.maxBytes = maxBytes;
    this.minLifetimeShare = minLifetimeShare;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** The cache for URLs of one scope that live `lifetimeMs` when signed, for one answer. */
  scope(key: string, lifetimeMs: number): UrlReuse | undefined {
    if (this.maxBytes === 0 || this.minLifetimeShare >= 1) return undefined;
    let entries = this.#scopes.get(key);
    if (!entries) {
      entries = new Map();
      this.#scopes.set(key, entries);
    }
    const scope = entries;
    const minRemainingMs = lifetimeMs * this.minLifetimeShare;
    // an answer begun with nothing kept for its scope would find only what it set itself, and it
    // hands each file out once: a cold answer skips the lookups (hashing each path is its cost)
    const startedEmpty = scope.size === 0;
    return {
      get: (path, now) => {
        if (startedEmpty) return undefined;
        const entry = scope.get(path);
        if (entry === undefined) return undefined;
        if (entry.expiresAt - now >= minRemainingMs) return entry;
        return undefined;
      },
      set: (path, url, expiresAt) => {
        const bytes = url.length + path.length + entryOverhead;
        const previous = scope.get(path);
        if (previous) {
          this.#bytes -= previous.url.length + path.length + entryOverhead;
          scope.delete(path);
        }
        if (this.#bytes + bytes > this.maxBytes) this.#evictStale(Date.now());
        if (this.#bytes + bytes > this.maxBytes) return;
        this.#order.push({ scope, path, minRemainingMs });
        scope.set(path, { url, expiresAt });
        this.#bytes += bytes;
      },
    };
  }

  /** Drops, oldest first, the entries no longer young enough to hand out again. */
  #evictStale(now: number): void {
    while (this.#orderStart < this.#order.length) {
      const oldest = this.#order[this.#orderStart] as OrderEntry;
      const entry = oldest.scope.get(oldest.path);
      if (entry && entry.expiresAt - now >= oldest.minRemainingMs) break;
      this.#orderStart++;
      if (entry) {
        this.#bytes -= entry.url.length + oldest.path.length + entryOverhead;
        oldest.scope.delete(oldest.path);
      }
    }
    // drop the consumed head of the order list now and then, not on every eviction
    if (this.#orderStart > 4096 && this.#orderStart * 2 > this.#order.length) {
      this.#order.splice(0, this.#orderStart);
      this.#orderStart = 0;
    }
  }
}
