// The benchmark's tables, in the S3 test server. Each many-files table is synthesised by
// generateManyFiles (Parquet checkpoint of N adds plus a JSON tail; verified by deltalake) with its
// data files left out: /query only presigns, so the log is all either server reads, and only a
// few objects need uploading even at 1M files.
import { join } from "node:path";
import { generateManyFiles } from "../test/fixtures/tables.ts";
import type { S3Ground } from "../test/ground/s3.ts";
import type { BenchCatalog, BenchTable } from "./servers.ts";

export const bucket = "bench";
export const shareName = "bench";
export const schemaName = "tables";
export const wideShareName = "wide";

export function tableName(files: number): string {
  return files >= 1_000_000 ? `files_${files / 1_000_000}m` : `files_${files / 1000}k`;
}

export interface PreparedTables {
  catalog: BenchCatalog;
  /** Seconds spent generating (and verifying) and uploading each table. */
  seconds: Record<string, { generate: number; upload: number; objects: number }>;
}

/** Generates and uploads a table per size, and a share of `wideTables` tables for listing. */
export async function prepareTables(
  s3: S3Ground,
  workDir: string,
  sizes: number[],
  wideTables: number,
  log: (line: string) => void,
): Promise<PreparedTables> {
  await s3.createBucket(bucket);
  const tables: BenchTable[] = [];
  const seconds: PreparedTables["seconds"] = {};
  for (const files of sizes) {
    const name = tableName(files);
    const started = Date.now();
    const generated = await generateManyFiles(join(workDir, name), files, {
      links: "none",
      json: false,
      timeoutMs: 900_000,
    });
    const generate = (Date.now() - started) / 1000;
    const keys = await s3.uploadDirectory(generated.location, bucket, name);
    const upload = (Date.now() - started) / 1000 - generate;
    seconds[name] = { generate, upload, objects: keys.length };
    log(
      `table ${name}: ${files} files, generated in ${generate.toFixed(1)} s, ${keys.length} objects uploaded in ${upload.toFixed(1)} s`,
    );
    tables.push({ name, key: `${bucket}/${name}` });
  }
  const smallest = tables[0];
  if (!smallest) throw new Error("no table sizes given");
  const wide = Array.from({ length: wideTables }, (_, i) => ({
    name: `t${String(i).padStart(4, "0")}`,
    key: smallest.key,
  }));
  return {
    catalog: {
      shares: [
        { name: shareName, schemas: [{ name: schemaName, tables }] },
        { name: wideShareName, schemas: [{ name: schemaName, tables: wide }] },
      ],
    },
    seconds,
  };
}
