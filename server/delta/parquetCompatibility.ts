// Which tables the parquet response format can carry. That format hands recipients plain Parquet
// files: a table whose correct reading needs more (deletion vectors to apply, physical column names
// to map) must be served in the delta format or refused, never served as wrong data.
import type { Snapshot } from "./snapshot.ts";

const harmlessReaderFeatures = new Set(["timestampntz", "v2checkpoint", "vacuumprotocolcheck"]);

const memo = new WeakMap<Snapshot, string[]>();

function hasDeletionVectors(snapshot: Snapshot): boolean {
  for (const file of snapshot.files.values()) if (file.deletionVector) return true;
  return false;
}

function columnMappingMode(snapshot: Snapshot): string {
  return snapshot.metadata.configuration["delta.columnMapping.mode"] ?? "none";
}

/** The reader features that keep this snapshot from being served in the parquet format. */
export function parquetBlockers(snapshot: Snapshot): string[] {
  const known = memo.get(snapshot);
  if (known) return known;
  const blockers: string[] = [];
  const { minReaderVersion, readerFeatures = [] } = snapshot.protocol;
  if (minReaderVersion > 3) blockers.push(`readerVersion${minReaderVersion}`);
  if (minReaderVersion >= 2 && columnMappingMode(snapshot) !== "none") blockers.push("columnMapping");
  for (const feature of readerFeatures) {
    const name = feature.toLowerCase();
    if (harmlessReaderFeatures.has(name) || name === "columnmapping") continue;
    if (name === "deletionvectors" && !hasDeletionVectors(snapshot)) continue;
    blockers.push(feature);
  }
  memo.set(snapshot, blockers);
  return blockers;
}
