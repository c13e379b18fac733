// Table health for the status document: on each configuration load every table's `_delta_log` is
// listed (a few tables at a time, yielding to requests being answered) and listed again
// periodically. A missing or unreadable table is reported, never a reason to be unready: the other
// tables still serve.
import type { ServerContext } from "../context.ts";
import { newestVersion, TableNotFoundError } from "../delta/snapshotLoader.ts";
import { filterProblem } from "../selection/partitionFilterMatch.ts";
import type { SharedTable } from "../shares/catalog.ts";
import type { Metrics } from "./metrics.ts";
import type { FilterHealth, TableHealth } from "./statusDocument.ts";

const concurrency = 4;
// Probes yield to requests being answered (a fresh server with thousands of tables would otherwise
// list them all while its first recipients wait), each at most this long, so they never starve.
const maxYieldMs = 2000;
const yieldStepMs = 25;

function pending(table: SharedTable): TableHealth {
  return {
    share: table.share,
    schema: table.schema,
    table: table.name,
    location: table.location,
    state: "pending",
    version: null,
    message: null,
    checkedAt: null,
  };
}

// A table already in the snapshot cache is brought up to date (a listing of its log tail); any other
// is only listed, so that probing thousands of tables neither loads them all nor evicts the
// snapshots requests are using.
async function latestVersion(context: ServerContext, table: SharedTable): Promise<number> {
  const storage = context.storageOf(table);
  if (context.snapshots.peek(table.id) === undefined) return newestVersion(storage);
  return (await context.snapshots.latest(table.id, storage)).version;
}

// A filter is checked against the table's latest metadata, which needs its snapshot: only tables
// with a filter are loaded for it.
async function probeFilter(context: ServerContext, table: SharedTable): Promise<FilterHealth | undefined> {
  if (!table.partitionFilter) return undefined;
  const names = {
    share: table.share,
    schema: table.schema,
    table: table.name,
    filter: table.partitionFilter.text,
  };
  const checkedAt = new Date().toISOString();
  try {
    const snapshot = await context.snapshots.latest(table.id, context.storageOf(table));
    const problem = filterProblem(table.partitionFilter.node, snapshot.metadata);
    return { ...names, ok: problem === undefined, message: problem ?? null, checkedAt };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ...names, ok: false, message: `the table could not be read: ${message}`, checkedAt };
  }
}

async function probe(context: ServerContext, table: SharedTable): Promise<TableHealth> {
  const checkedAt = new Date().toISOString();
  try {
    const version = await latestVersion(context, table);
    return { ...pending(table), state: "ok", version, checkedAt };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const state = error instanceof TableNotFoundError ? "notFound" : "unreadable";
    return { ...pending(table), state, message, checkedAt };
  }
}

export class TableHealthMonitor {
  readonly #metrics: Metrics;
  #context: ServerContext | undefined;
  #health = new Map<string, TableHealth>();
  #filters = new Map<string, FilterHealth>();
  #timer: NodeJS.Timeout | undefined;
  #answering = 0;

  constructor(metrics: Metrics) {
    this.#metrics = metrics;
  }

  /** A request is being answered until the returned function is called (once). */
  answering(): () => void {
    this.#answering += 1;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#answering -= 1;
    };
  }

  async #yieldToRequests(): Promise<void> {
    for (let waited = 0; this.#answering > 0 && waited < maxYieldMs; waited += yieldStepMs) {
      await new Promise((resolve) => setTimeout(resolve, yieldStepMs).unref());
    }
  }

  /** Starts following a newly loaded configuration: every table pending, then probed. */
  follow(context: ServerContext): void {
    this.close();
    this.#context = context;
    this.#health = new Map([...context.catalog.allTables()].map((table) => [table.id, pending(table)]));
    this.#filters = new Map();
    this.#metrics.tableHealthy.reset();
    void this.#round(context);
  }

  tables(): TableHealth[] {
    return [...this.#health.values()];
  }

  filters(): FilterHealth[] {
    return [...this.#filters.values()];
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#context = undefined;
  }

  async #round(context: ServerContext): Promise<void> {
    // whole-schema shares are listed again first, so tables created since are probed in this round
    await context.discovery.refreshAll();
    const queue = [...context.catalog.allTables()];
    const worker = async () => {
      for (let table = queue.shift(); table !== undefined; table = queue.shift()) {
        await this.#yieldToRequests();
        const health = await probe(context, table);
        const filter = await probeFilter(context, table);
        if (this.#context !== context) return;
        this.#health.set(table.id, health);
        if (filter) this.#filters.set(table.id, filter);
        const labels = { share: table.share, schema: table.schema, table: table.name };
        this.#metrics.tableHealthy.set(labels, health.state === "ok" ? 1 : 0);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = context.config.ops?.tableProbeIntervalSeconds ?? 60;
    if (this.#context !== context || seconds <= 0) return;
    this.#timer = setTimeout(() => void this.#round(context), seconds * 1000);
    this.#timer.unref();
  }
}
