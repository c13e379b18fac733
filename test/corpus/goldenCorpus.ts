// The golden tables of the Delta Lake project (../shared/corpus/delta-golden, read-only) as the
// corpus test sees them: one entry per table (a folder with a _delta_log, nested ones included:
// hive/ holds eleven) and one per top-level folder that holds no table at all, which the server
// must answer as not found; with delta-spark's own read of each as the truth, computed by
// golden_truth.py in one Spark session and cached outside the repository.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative, sep } from "node:path";
import type { Row } from "../fixtures/tables.ts";
import { cachePath, repoRoot } from "../ground/paths.ts";
import { runSparkJson, sparkJars } from "../ground/spark.ts";

export const corpusDir = join(repoRoot, "..", "shared", "corpus", "delta-golden");

export interface CorpusEntry {
  /** Table name in the server's configuration: the folder's path with "/" as "__". */
  name: string;
  /** Folder relative to the corpus, "/"-separated. */
  path: string;
  /** False for a folder that holds no Delta table. */
  isTable: boolean;
}

/** Rows read, as golden_values.summary gives them: the rows themselves only when few. */
export interface RowSet {
  count: number;
  /** SHA-256 of the sorted canonical rows. */
  digest: string;
  rows?: Row[];
}

export type SparkChanges = (RowSet & { from: number }) | { error: string };

export interface SparkTruth extends Partial<RowSet> {
  /** delta-spark's error when it refuses the table (first line). */
  refused?: string;
  columns?: string[];
  version?: number;
  minReaderVersion?: number;
  tableFeatures?: string[];
  describeError?: string;
  changes?: SparkChanges;
}

const hasLog = (folder: string) => existsSync(join(folder, "_delta_log"));

function nestedTables(folder: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === "_delta_log") continue;
    const child = join(folder, entry.name);
    if (hasLog(child)) found.push(child);
    else found.push(...nestedTables(child));
  }
  return found;
}

const relativePath = (folder: string) => relative(corpusDir, folder).split(sep).join("/");

/** Every table of the corpus, and every top-level folder without one, sorted by path. */
export function corpusEntries(): CorpusEntry[] {
  if (!existsSync(corpusDir)) {
    throw new Error(`the golden tables are not at ${corpusDir} (beside the repository: ../shared/corpus)`);
  }
  const entries: CorpusEntry[] = [];
  const tops = readdirSync(corpusDir, { withFileTypes: true }).filter((entry) => entry.isDirectory());
  for (const top of tops) {
    const folder = join(corpusDir, top.name);
    const tables = hasLog(folder) ? [folder] : nestedTables(folder);
    if (tables.length === 0) entries.push({ name: top.name, path: top.name, isTable: false });
    for (const table of tables) {
      const path = relativePath(table);
      entries.push({ name: path.replaceAll("/", "__"), path, isTable: true });
    }
  }
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

const truthSources = [
  "test/corpus/golden_truth.py",
  "test/corpus/golden_values.py",
  "test/fixtures/canonical.py",
  "test/fixtures/clean_exit.py",
  // its Spark session
  "test/fixtures/spark_tables.py",
  "test/ground/spark/requirements.txt",
];

// The corpus by its listing (paths and sizes) and the code that reads it: a changed table, script
// or Spark means a new truth. The log files' modification times too: delta-spark takes a commit's
// timestamp from its file's mtime where the table has no in-commit timestamps, and a corpus laid
// out again (every session, every CI run) has new ones.
function truthCacheDir(entries: CorpusEntry[]): string {
  const hash = createHash("sha256");
  for (const source of truthSources) hash.update(readFileSync(join(repoRoot, source)));
  hash.update(basename(sparkJars()));
  hash.update(JSON.stringify(entries));
  const files = readdirSync(corpusDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  for (const file of files) {
    const { size, mtimeMs } = statSync(file);
    const time = file.includes(`${sep}_delta_log${sep}`) ? `\0${Math.floor(mtimeMs)}` : "";
    hash.update(`${relativePath(file)}\0${size}${time}\n`);
  }
  return cachePath(`golden-truth-${hash.digest("hex").slice(0, 16)}`);
}

/** delta-spark's read of every entry, by entry name (one Spark session on a cold cache, minutes). */
export async function sparkTruth(entries: CorpusEntry[]): Promise<Record<string, SparkTruth>> {
  const answer = await runSparkJson<{ tables: Record<string, SparkTruth> }>(
    "test/corpus/golden_truth.py",
    [truthCacheDir(entries), sparkJars(), corpusDir, JSON.stringify(entries)],
    1_800_000,
  );
  return answer.tables;
}
