// The snapshot a request reads: the newest one (from the cache), or, for tables that share their
// history, the one at a requested version or timestamp — never before the table's shared start
// version — or the one a page or refresh token pinned.
import type { ServerContext } from "../context.ts";
import {
  inCommitTimestampsOf,
  parseTimestamp,
  versionAtOrAfter,
  versionAtOrBefore,
} from "../delta/history.ts";
import type { Snapshot } from "../delta/snapshot.ts";
import { invalidParameter } from "../protocol/errors.ts";
import type { SharedTable } from "../shares/catalog.ts";
import { snapshotOfVersion } from "./versionSnapshots.ts";

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
  return snapshotOfVersion(table.id, ctx.storageOf(table), version);
}

/**
 * The snapshot at the newest version at or before a timestamp (time travel by timestamp), with the
 * version's commit time as Delta defines it.
 */
export async function snapshotAtTimestamp(
  ctx: ServerContext,
  table: SharedTable,
  text: string,
): Promise<Snapshot> {
  requireHistory(table, "reading a table at a timestamp");
  const timestamp = parseTimestamp("timestamp", text);
  const latest = await latestSnapshot(ctx, table);
  const version = await versionAtOrBefore(
    ctx.storageOf(table),
    latest.version,
    inCommitTimestampsOf(latest.metadata),
    timestamp,
    { afterLatest: "error", sharedFrom: table.startVersion },
  );
  requireSharedVersion(table, version);
  return version === latest.version ? latest : snapshotOfVersion(table.id, ctx.storageOf(table), version);
}

/**
 * The snapshot a page token or refresh token pinned: served whether or not the table shares its
 * history, since the first answer of the same query already read that version.
 */
export async function pinnedSnapshot(
  ctx: ServerContext,
  table: SharedTable,
  version: number,
): Promise<Snapshot> {
  const latest = await latestSnapshot(ctx, table);
  if (version === latest.version) return latest;
  if (version > latest.version) throw invalidParameter("the token names a version the table does not have");
  return snapshotOfVersion(table.id, ctx.storageOf(table), version);
}

/** The earliest version committed at or after a timestamp (GET version?startingTimestamp=). */
export async function versionAtTimestamp(
  ctx: ServerContext,
  table: SharedTable,
  text: string,
): Promise<number> {
  requireHistory(table, "startingTimestamp");
  const timestamp = parseTimestamp("startingTimestamp", text);
  const latest = await latestSnapshot(ctx, table);
  const version = await versionAtOrAfter(
    ctx.storageOf(table),
    latest.version,
    inCommitTimestampsOf(latest.metadata),
    timestamp,
  );
  requireSharedVersion(table, version);
  return version;
}
