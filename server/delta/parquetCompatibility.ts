// Which tables the parquet response format can carry. That format hands recipients plain Parquet
// files: a table whose correct reading needs more (deletion vectors to apply, physical column names
// to map) must be served in the delta format or refused, never served as wrong data.
import type { TableMetadata, TableProtocol } from "./actions.ts";
import type { Snapshot } from "./snapshot.ts";

const harmlessReaderFeatures = new Set(["timestampntz", "v2checkpoint", "vacuumprotocolcheck"]);

const memo = new WeakMap<Snapshot, string[]>();

function columnMappingMode(metadata: TableMetadata): string {
  return metadata.configuration["delta.columnMapping.mode"] ?? "none";
}

/** The reader features that keep this snapshot from being served in the parquet format. */
export function parquetBlockers(snapshot: Snapshot): string[] {
  const known = memo.get(snapshot);
  if (known) return known;
  const blockers = parquetBlockersOf(
    snapshot.protocol,
    snapshot.metadata,
    () => snapshot.files.hasDeletionVectors,
  );
  memo.set(snapshot, blockers);
  return blockers;
}

/**
 * The same for a protocol and metadata alone; `hasDeletionVectors` tells whether deletion vectors
 * are in use (a range of changes cannot know ahead, so it answers true there).
 */
export function parquetBlockersOf(
  protocol: TableProtocol,
  metadata: TableMetadata,
  hasDeletionVectors: () => boolean,
): string[] {
  const blockers: string[] = [];
  const { minReaderVersion, readerFeatures = [] } = protocol;
  if (minReaderVersion > 3) blockers.push(`readerVersion${minReaderVersion}`);
  if (minReaderVersion >= 2 && columnMappingMode(metadata) !== "none") blockers.push("columnMapping");
  for (const feature of readerFeatures) {
    const name = feature.toLowerCase();
    if (harmlessReaderFeatures.has(name) || name === "columnmapping") continue;
    if (name === "deletionvectors" && !hasDeletionVectors()) continue;
    blockers.push(feature);
  }
  return blockers;
}
