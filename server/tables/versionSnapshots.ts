// Snapshots of past versions, kept a little while: pages of one query, its refreshes and repeated
// time travel to one version reuse a snapshot instead of replaying the log again per request.
// Few are kept (they can be large); concurrent loads of one version share one replay.
import type { Snapshot } from "../delta/snapshot.ts";
import type { SnapshotCache } from "../delta/snapshotCache.ts";
import type { TableStorage } from "../storage/storage.ts";

const maxEntries = 4;
const entries = new Map<string, Promise<Snapshot>>();

/** The snapshot of `storage` at `version`, from the small shared cache or a replay of the log. */
export function snapshotOfVersion(
  snapshots: SnapshotCache,
  tableId: string,
  storage: TableStorage,
  version: number,
  label = tableId,
): Promise<Snapshot> {
  const key = `${tableId}\0${storage.location}\0${version}`;
  const known = entries.get(key);
  if (known) {
    entries.delete(key);
    entries.set(key, known);
    return known;
  }
  const loading = snapshots.atVersion(tableId, storage, version, label);
  entries.set(key, loading);
  loading.catch(() => entries.delete(key));
  while (entries.size > maxEntries) {
    const oldest = entries.keys().next().value;
    if (oldest === undefined) break;
    entries.delete(oldest);
  }
  return loading;
}
