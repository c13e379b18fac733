// The snapshot a request reads: the newest one (from the cache), or, for tables that share their
// history, the one at a requested version — never before the table's shared start version.
import type { ServerContext } from "../context.ts";
import type { Snapshot } from "../delta/snapshot.ts";
import { loadSnapshot } from "../delta/snapshotLoader.ts";
import { invalidParameter } from "../protocol/errors.ts";
import type { SharedTable } from "../shares/catalog.ts";

export function latestSnapshot(ctx: ServerContext, table: SharedTable): Promise<Snapshot> {
  const storage = ctx.storageOf(table);
  return ctx.config.stalenessAcceptable
    ? ctx.snapshots.cachedOrLatest(table.id, storage)
    : ctx.snapshots.latest(table.id, storage);
}

export function requireHistory(table: SharedTable, what: string): void {
  if (!table.historyShared) {
    throw invalidParameter(
      `${what} is only supported on tables with history shared; this table does not share history`,
    );
  }
}

export function requireSharedVersion(table: SharedTable, version: number): void {
  if (version < table.startVersion) {
    throw invalidParameter(`You can only query table data since version ${table.startVersion}`);
  }
}

export async function snapshotAtVersion(
  ctx: ServerContext,
  table: SharedTable,
  version: number,
): Promise<Snapshot> {
  requireHistory(table, "reading a table at a version");
  requireSharedVersion(table, version);
  const latest = await latestSnapshot(ctx, table);
  if (version === latest.version) return latest;
  if (version > latest.version) {
    throw invalidParameter(
      `version ${version} does not exist; the table's newest version is ${latest.version}`,
    );
  }
  return loadSnapshot(ctx.storageOf(table), version);
}
