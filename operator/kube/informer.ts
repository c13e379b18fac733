// A cache of one resource type kept current by list-then-watch. Watches resume from the last
// resourceVersion seen (bookmarks keep it fresh); when the API server says that version is gone
// (410) the informer lists again and reports what changed meanwhile, so an API-server restart or
// a dropped connection loses no event. Every failure is retried with a capped backoff.
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { isGone, type KubeClient } from "./client.ts";
import { type KubeObject, objectKey } from "./objects.ts";
import { apiVersionOf, collectionPath, type ResourceType } from "./resourceTypes.ts";

export interface InformerHandlers<T> {
  added?: (object: T) => void;
  updated?: (object: T, previous: T) => void;
  deleted?: (object: T) => void;
}

export interface InformerOptions<T> {
  name: string;
  client: KubeClient;
  type: ResourceType;
  /** One namespace, or all when undefined. */
  namespace?: string;
  labelSelector?: string;
  handlers: InformerHandlers<T>;
  logger: Logger;
  /** Counts reconnects by cause, for metrics. */
  onRestart?: (cause: "relist" | "rewatch") => void;
}

const pageSize = 500;
const watchSeconds = 240;
const maxBackoffMs = 10_000;

export class Informer<T extends KubeObject> {
  readonly name: string;
  readonly #options: InformerOptions<T>;
  #store = new Map<string, T>();
  #resourceVersion: string | undefined;
  #synced = false;
  readonly #syncWaiters: (() => void)[] = [];

  readonly #path: string;

  constructor(options: InformerOptions<T>) {
    this.name = options.name;
    this.#options = options;
    this.#path = collectionPath(options.type, options.namespace);
  }

  get synced(): boolean {
    return this.#synced;
  }

  get(key: string): T | undefined {
    return this.#store.get(key);
  }

  list(): IterableIterator<T> {
    return this.#store.values();
  }

  get size(): number {
    return this.#store.size;
  }

  waitForSync(): Promise<void> {
    if (this.#synced) return Promise.resolve();
    return new Promise((resolve) => this.#syncWaiters.push(resolve));
  }

  /** Runs until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    let backoffMs = 200;
    while (!signal.aborted) {
      try {
        if (this.#resourceVersion === undefined) await this.#relist();
        await this.#watch(signal);
        backoffMs = 200;
      } catch (error) {
        if (signal.aborted) return;
        if (isGone(error)) {
          this.#resourceVersion = undefined;
          this.#options.onRestart?.("relist");
          this.#options.logger.info({ informer: this.name }, "watch history expired; listing again");
          continue;
        }
        this.#options.onRestart?.("rewatch");
        this.#options.logger.warn(
          {
            informer: this.name,
            err: error instanceof Error ? error.message : String(error),
            retryInMs: backoffMs,
          },
          "watch failed; retrying",
        );
        await sleep(backoffMs, undefined, { signal }).catch(() => undefined);
        backoffMs = Math.min(maxBackoffMs, backoffMs * 2);
      }
    }
  }

  async #relist(): Promise<void> {
    const fresh = new Map<string, T>();
    let continueToken: string | undefined;
    let resourceVersion = "";
    do {
      const page = await this.#options.client.list<T>(this.#path, {
        limit: pageSize,
        continue: continueToken,
        labelSelector: this.#options.labelSelector,
      });
      for (const item of page.items) fresh.set(objectKey(item), this.#withKind(item));
      continueToken = page.metadata.continue || undefined;
      resourceVersion = page.metadata.resourceVersion;
    } while (continueToken !== undefined);
    const previous = this.#store;
    this.#store = fresh;
    this.#resourceVersion = resourceVersion;
    const { added, updated, deleted } = this.#options.handlers;
    for (const [key, object] of fresh) {
      const before = previous.get(key);
      if (before === undefined) added?.(object);
      else if (before.metadata.resourceVersion !== object.metadata.resourceVersion) updated?.(object, before);
    }
    for (const [key, object] of previous) {
      if (!fresh.has(key)) deleted?.(object);
    }
    if (!this.#synced) {
      this.#synced = true;
      for (const resolve of this.#syncWaiters.splice(0)) resolve();
    }
  }

  // List responses leave kind and apiVersion off their items; reconcilers need them (owner
  // references, server-side apply bodies).
  #withKind(item: T): T {
    return { ...item, apiVersion: apiVersionOf(this.#options.type), kind: this.#options.type.kind };
  }

  async #watch(signal: AbortSignal): Promise<void> {
    const { added, updated, deleted } = this.#options.handlers;
    await this.#options.client.watch<T>(
      this.#path,
      {
        resourceVersion: this.#resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: watchSeconds + Math.floor(Math.random() * 60),
        labelSelector: this.#options.labelSelector,
      },
      (event) => {
        const object = event.object;
        if (object.metadata?.resourceVersion) this.#resourceVersion = object.metadata.resourceVersion;
        if (event.type === "BOOKMARK") return;
        const key = objectKey(object);
        const before = this.#store.get(key);
        if (event.type === "DELETED") {
          this.#store.delete(key);
          deleted?.(before ?? object);
          return;
        }
        this.#store.set(key, object);
        if (before === undefined) added?.(object);
        else updated?.(object, before);
      },
      { signal, idleMs: (watchSeconds + 90) * 1000 },
    );
  }
}
