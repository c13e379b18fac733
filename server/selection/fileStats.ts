// A file's `stats` JSON, read only as far as pruning needs: the record count and, per physical
// column name, the top-level min, max and null count. Anything malformed reads as absent.

export interface FileStats {
  numRecords: number | undefined;
  minValues: Record<string, unknown> | undefined;
  maxValues: Record<string, unknown> | undefined;
  nullCount: Record<string, unknown> | undefined;
}

export function parseFileStats(text: string | undefined): FileStats | null {
  if (text === undefined || text === "") return null;
  let stats: unknown;
  try {
    stats = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(stats)) return null;
  return {
    numRecords: count(stats.numRecords),
    minValues: isRecord(stats.minValues) ? stats.minValues : undefined,
    maxValues: isRecord(stats.maxValues) ? stats.maxValues : undefined,
    nullCount: isRecord(stats.nullCount) ? stats.nullCount : undefined,
  };
}

// A JSON count: a non-negative safe integer, or undefined.
export function count(value: unknown): number | undefined {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

// Own properties only: a column named "constructor" must not find Object's.
export function entry(values: Record<string, unknown> | undefined, key: string): unknown {
  return values !== undefined && Object.hasOwn(values, key) ? values[key] : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
