// Whole-schema shares: the Delta tables (folders holding `_delta_log/`) directly under a schema's
// location, found with a bounded listing on a schedule (the table-health round) and on demand (a
// request naming a table the schema does not hold yet, or listing its tables), at most once per
// `minIntervalMs` per schema so recipients cannot turn requests into listings: a listing asked for
// sooner is skipped, or, for a table not found, waited for.
import { dotlessNamePattern } from "../config/schema.ts";
import type { DiscoveredSchema } from "../ops/statusDocument.ts";
import type { TableStorage } from "../storage/storage.ts";
import type { Catalog, SharedSchema } from "./catalog.ts";

/** At most this many folders are looked at under one location. */
export const maxDiscoveredFolders = 1000;
const concurrency = 8;
// a folder whose name is not a valid table name (a period, a space) cannot be named by recipients
const tableName = new RegExp(dotlessNamePattern);

async function hasLog(storage: TableStorage, folder: string): Promise<boolean> {
  for await (const _ of storage.list(`${folder}/_delta_log`)) return true;
  return false;
}

/** The names of the folders under the location that hold a Delta log, in order. */
export async function findDeltaTables(storage: TableStorage): Promise<string[]> {
  const folders = (await storage.folders(maxDiscoveredFolders)).filter((name) => tableName.test(name));
  const found = new Array<boolean>(folders.length).fill(false);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < folders.length; index = next++) {
      found[index] = await hasLog(storage, folders[index] as string);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return folders.filter((_, index) => found[index]);
}

interface SchemaState {
  running?: Promise<void>;
  /** A listing a missed table waits for, once the interval since the last has passed. */
  queued?: Promise<void>;
  lastStarted: number;
  report: DiscoveredSchema;
}

export class SchemaDiscovery {
  readonly #catalog: Catalog;
  readonly #open: (location: string) => TableStorage;
  readonly #minIntervalMs: number;
  readonly #states = new Map<SharedSchema, SchemaState>();

  constructor(catalog: Catalog, open: (location: string) => TableStorage, minIntervalMs = 2000) {
    this.#catalog = catalog;
    this.#open = open;
    this.#minIntervalMs = minIntervalMs;
    for (const share of catalog.shares) {
      for (const schema of share.schemas) {
        if (!schema.discovery) continue;
        const report = {
          share: schema.share,
          schema: schema.name,
          location: schema.discovery.location,
          tables: [],
          checkedAt: null,
          error: null,
        };
        this.#states.set(schema, { lastStarted: 0, report });
      }
    }
  }

  /** Lists the schema's location again unless it was listed within the interval; waits for it. */
  async refresh(schema: SharedSchema): Promise<void> {
    const state = this.#states.get(schema);
    if (!state || !schema.discovery) return;
    if (state.running) return state.running;
    if (Date.now() - state.lastStarted < this.#minIntervalMs) return;
    state.lastStarted = Date.now();
    const location = schema.discovery.location;
    state.running = findDeltaTables(this.#open(location))
      .then((folders) => {
        const tables = this.#catalog.setDiscovered(schema, folders);
        state.report = { ...state.report, tables, checkedAt: new Date().toISOString(), error: null };
      })
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        state.report = { ...state.report, checkedAt: new Date().toISOString(), error: message };
      })
      .finally(() => {
        state.running = undefined;
      });
    return state.running;
  }

  /**
   * For a request naming a table the schema does not hold: lists the location again as soon as the
   * interval allows (waiting at most that long), so a table made a moment after a listing is found.
   */
  async refreshForMissingTable(schema: SharedSchema): Promise<void> {
    const state = this.#states.get(schema);
    if (!state) return;
    if (state.running) await state.running;
    const wait = state.lastStarted + this.#minIntervalMs - Date.now();
    if (wait <= 0) return this.refresh(schema);
    state.queued ??= new Promise<void>((resolve) => setTimeout(resolve, wait)).then(() => {
      state.queued = undefined;
      return this.refresh(schema);
    });
    return state.queued;
  }

  /** Every whole-schema share listed again (the scheduled round). */
  async refreshAll(): Promise<void> {
    await Promise.all([...this.#states.keys()].map((schema) => this.refresh(schema)));
  }

  report(): DiscoveredSchema[] {
    return [...this.#states.values()].map((state) => state.report);
  }
}
