// The shares, schemas and tables the configuration declares, looked up case-insensitively as the
// protocol requires. Ids are resolved once here; every later step works on these records.
import type { ServerConfig } from "../config/schema.ts";
import { type FilterNode, parsePartitionFilter } from "../selection/partitionFilter.ts";
import { stableId } from "./stableId.ts";

export interface SharedTable {
  share: string;
  shareId: string;
  schema: string;
  name: string;
  id: string;
  location: string;
  /** Other locations whose files the table's log may name by absolute path (shallow clones). */
  extraRoots: string[];
  historyShared: boolean;
  startVersion: number;
  /** The configuration offers directory access; whether a recipient gets it is decided per request. */
  directoryAccess: boolean;
  /** Found under a whole-schema share's location rather than configured. */
  discovered?: boolean;
  /** The partitions recipients may see, as configured (parsed: the configuration was checked). */
  partitionFilter?: { text: string; node: FilterNode };
  comment?: string;
}

/** The table as people name it: share.schema.table (logs, metrics). */
export function tableLabel(table: SharedTable): string {
  return `${table.share}.${table.schema}.${table.name}`;
}

export interface SharedSchema {
  share: string;
  shareId: string;
  name: string;
  /** Configured tables, then those discovered under `location`. */
  tables: SharedTable[];
  /** Whole-schema shares: the prefix whose Delta tables are shared, and their options. */
  discovery?: { location: string; historyShared: boolean; partitionFilter?: string };
}

export interface SharedShare {
  name: string;
  id: string;
  displayName?: string;
  comment?: string;
  properties?: Record<string, string>;
  schemas: SharedSchema[];
}

const key = (name: string) => name.toLowerCase();

export class Catalog {
  readonly shares: readonly SharedShare[];
  readonly #byName: Map<string, SharedShare>;
  readonly #tablesById: Map<string, SharedTable>;

  constructor(config: ServerConfig) {
    this.shares = config.shares.map((share) => {
      const shareId = share.id ?? stableId("share", share.name);
      return {
        name: share.name,
        id: shareId,
        ...(share.displayName !== undefined ? { displayName: share.displayName } : {}),
        ...(share.comment !== undefined ? { comment: share.comment } : {}),
        ...(share.properties !== undefined ? { properties: share.properties } : {}),
        schemas: share.schemas.map((schema) => ({
          share: share.name,
          shareId,
          name: schema.name,
          ...(schema.location !== undefined
            ? {
                discovery: {
                  location: schema.location,
                  historyShared: schema.historyShared ?? false,
                  ...(schema.partitionFilter !== undefined
                    ? { partitionFilter: schema.partitionFilter }
                    : {}),
                },
              }
            : {}),
          tables: schema.tables.map((table) => ({
            share: share.name,
            shareId,
            schema: schema.name,
            name: table.name,
            id: table.id ?? stableId("table", share.name, schema.name, table.name),
            location: table.location,
            extraRoots: table.extraRoots ?? [],
            historyShared: table.historyShared ?? false,
            startVersion: table.startVersion ?? 0,
            directoryAccess: table.directoryAccess ?? false,
            ...(table.partitionFilter !== undefined
              ? {
                  partitionFilter: {
                    text: table.partitionFilter,
                    node: parsePartitionFilter(table.partitionFilter),
                  },
                }
              : {}),
            ...(table.comment !== undefined ? { comment: table.comment } : {}),
          })),
        })),
      };
    });
    this.#byName = new Map(this.shares.map((share) => [key(share.name), share]));
    this.#tablesById = new Map();
    for (const table of this.allTables()) {
      if (this.#tablesById.has(table.id)) {
        throw new Error(
          `table id ${table.id} is used by more than one table (${table.share}.${table.schema}.${table.name})`,
        );
      }
      this.#tablesById.set(table.id, table);
    }
  }

  *allTables(): Iterable<SharedTable> {
    for (const share of this.shares) for (const schema of share.schemas) yield* schema.tables;
  }

  share(name: string): SharedShare | undefined {
    return this.#byName.get(key(name));
  }

  schema(share: SharedShare, name: string): SharedSchema | undefined {
    return share.schemas.find((schema) => key(schema.name) === key(name));
  }

  table(schema: SharedSchema, name: string): SharedTable | undefined {
    return schema.tables.find((table) => key(table.name) === key(name));
  }

  tableById(id: string): SharedTable | undefined {
    return this.#tablesById.get(id);
  }

  /**
   * The tables found under a whole-schema share's location now: configured tables keep their names,
   * others come and go with their folders. Returns the discovered tables' names.
   */
  setDiscovered(schema: SharedSchema, folders: readonly string[]): string[] {
    const discovery = schema.discovery;
    if (!discovery) return [];
    const configured = schema.tables.filter((table) => !table.discovered);
    const taken = new Set(configured.map((table) => key(table.name)));
    for (const table of schema.tables) if (table.discovered) this.#tablesById.delete(table.id);
    const found = folders
      .filter((folder) => !taken.has(key(folder)))
      .map(
        (folder): SharedTable => ({
          share: schema.share,
          shareId: schema.shareId,
          schema: schema.name,
          name: folder,
          id: stableId("table", schema.share, schema.name, folder),
          location: `${discovery.location.replace(/\/+$/, "")}/${folder}`,
          extraRoots: [],
          historyShared: discovery.historyShared,
          startVersion: 0,
          directoryAccess: false,
          discovered: true,
          ...(discovery.partitionFilter !== undefined
            ? {
                partitionFilter: {
                  text: discovery.partitionFilter,
                  node: parsePartitionFilter(discovery.partitionFilter),
                },
              }
            : {}),
        }),
      )
      .filter((table) => !this.#tablesById.has(table.id));
    for (const table of found) this.#tablesById.set(table.id, table);
    schema.tables = [...configured, ...found];
    return found.map((table) => table.name);
  }
}
