// Reads Parquet checkpoints (classic single-part, multi-part, v2 with sidecars) with hyparquet. The
// few small actions (protocol, metadata, sidecar references) are assembled from their own leaf
// columns, only in row groups whose statistics say they hold any (checkpointStructs.ts); the adds
// are read column by column into a snapshot's columns (checkpointColumns.ts). Adds and removes as
// row objects remain for callers that want every action.
import { type FileMetaData, parquetMetadataAsync, parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import type { RandomAccessFile, TableStorage } from "../storage/storage.ts";
import type { Action } from "./actions.ts";
import { groupMayHold } from "./checkpointColumns.ts";
import { readCheckpointStructs } from "./checkpointStructs.ts";
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

export interface OpenCheckpoint {
  path: string;
  file: RandomAccessFile;
  metadata: FileMetaData;
}

/** A file read whole into memory, its slices served from there. */
async function inMemory(file: RandomAccessFile): Promise<RandomAccessFile> {
  const bytes = await file.slice(0, file.byteLength);
  return { byteLength: bytes.byteLength, slice: async (start, end) => bytes.slice(start, end) };
}

/**
 * Opens a Parquet checkpoint file. One of at most `wholeBelow` bytes is read whole, in one request:
 * its footer alone is most of a small file, and every column chunk would be a request of its own.
 */
export async function openCheckpoint(
  storage: TableStorage,
  path: string,
  size?: number,
  wholeBelow = 0,
): Promise<OpenCheckpoint> {
  const opened = await storage.open(path, size);
  const file = opened.byteLength <= wholeBelow ? await inMemory(opened) : opened;
  try {
    return { path, file, metadata: await parquetMetadataAsync(file) };
  } catch (error) {
    if (error instanceof Error && error.name === "StorageUnavailableError") throw error;
    throw new CorruptLogError(`${path}: not a readable Parquet checkpoint`);
  }
}

const sparseColumns = new Set(["metaData", "protocol", "sidecar"]);

/**
 * Streams the actions of the given top-level columns of an open checkpoint: the sparse ones
 * (metaData, protocol, sidecar) from their leaf columns, adds and removes as hyparquet rows.
 */
export async function* checkpointRows(
  checkpoint: OpenCheckpoint,
  only: readonly string[],
): AsyncIterable<Action> {
  const { file, metadata, path } = checkpoint;
  const present = new Set(metadata.schema.slice(1).map((element) => element.name));
  for (const column of only) {
    if (!sparseColumns.has(column) || !present.has(column)) continue;
    for await (const raw of readCheckpointStructs(file, metadata, column)) {
      const item = rowToAction({ [column]: raw }, path);
      if (item) yield item;
    }
  }
  yield* checkpointRowObjects(
    checkpoint,
    only.filter((column) => !sparseColumns.has(column)),
  );
}

/** Streams the actions of the given top-level columns as rows hyparquet assembles. */
export async function* checkpointRowObjects(
  checkpoint: OpenCheckpoint,
  only: readonly string[],
): AsyncIterable<Action> {
  const { file, metadata, path } = checkpoint;
  const present = new Set(metadata.schema.slice(1).map((element) => element.name));
  const columns = only.filter((column) => present.has(column));
  if (columns.length === 0) return;
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    if (columns.some((column) => groupMayHold(group, column))) {
      const rows = await parquetReadObjects({ file, metadata, columns, rowStart, rowEnd, compressors });
      for (const row of rows) {
        const item = rowToAction(row, path);
        if (item) yield item;
      }
    }
    rowStart = rowEnd;
  }
}

/** Streams the actions (and v2 sidecar references) of one Parquet checkpoint file. */
export async function* readParquetCheckpoint(
  storage: TableStorage,
  path: string,
  size?: number,
  only?: readonly string[],
): AsyncIterable<Action> {
  yield* checkpointRows(await openCheckpoint(storage, path, size), only ?? wantedColumns);
}

/** Every action of one checkpoint file as hyparquet assembles its rows (a cross-check in tests). */
export async function* readParquetCheckpointRows(storage: TableStorage, path: string): AsyncIterable<Action> {
  yield* checkpointRowObjects(await openCheckpoint(storage, path), wantedColumns);
}
