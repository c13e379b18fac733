// Reads Parquet checkpoints (classic single-part, multi-part, v2 with sidecars) with hyparquet, one
// row group at a time so a checkpoint of millions of files is never held whole as rows.
import { parquetMetadataAsync, parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import type { TableStorage } from "../storage/storage.ts";
import type { Action } from "./actions.ts";
import {
  CorruptLogError,
  parseAdd,
  parseMetadata,
  parseProtocol,
  parseRemove,
  parseSidecar,
} from "./parseActions.ts";

type Raw = Record<string, unknown>;
const isObject = (value: unknown): value is Raw => typeof value === "object" && value !== null;

const wantedColumns = ["add", "remove", "metaData", "protocol", "sidecar"];

function rowToAction(row: Raw, where: string): Action | undefined {
  if (isObject(row.add)) return { kind: "add", add: parseAdd(row.add, where) };
  if (isObject(row.metaData)) return { kind: "metaData", metaData: parseMetadata(row.metaData, where) };
  if (isObject(row.protocol)) return { kind: "protocol", protocol: parseProtocol(row.protocol, where) };
  if (isObject(row.remove)) return { kind: "remove", remove: parseRemove(row.remove, where) };
  if (isObject(row.sidecar)) return { kind: "sidecar", sidecar: parseSidecar(row.sidecar, where) };
  return undefined;
}

/** Streams the actions (and v2 sidecar references) of one Parquet checkpoint file. */
export async function* readParquetCheckpoint(
  storage: TableStorage,
  path: string,
  size?: number,
  only?: readonly string[],
): AsyncIterable<Action> {
  const file = await storage.open(path, size);
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (error) {
    if (error instanceof Error && error.name === "StorageUnavailableError") throw error;
    throw new CorruptLogError(`${path}: not a readable Parquet checkpoint`);
  }
  const present = new Set(metadata.schema.slice(1).map((element) => element.name));
  const columns = (only ?? wantedColumns).filter((column) => present.has(column));
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    const rows = await parquetReadObjects({ file, metadata, columns, rowStart, rowEnd, compressors });
    for (const row of rows) {
      const item = rowToAction(row, path);
      if (item) yield item;
    }
    rowStart = rowEnd;
  }
}
