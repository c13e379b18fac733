// Reads the `add` actions of a Parquet checkpoint (or v2 sidecar) straight from the leaf columns
// of each row group into a snapshot's FileColumns: all leaves of a row group are fetched together,
// then walked a page at a time in lockstep, so no row object or nested struct is ever assembled.
import type { ColumnMetaData, FileMetaData, RowGroup, SchemaTree } from "hyparquet";
import { parquetSchema } from "hyparquet";
import type { RandomAccessFile } from "../storage/storage.ts";
import type { FileColumns } from "./fileColumns.ts";
import { LeafCursor, leafDecoder } from "./parquetLeaf.ts";
import { CorruptLogError, parseAdd } from "./parseActions.ts";

const scalarFields = [
  "path",
  "size",
  "modificationTime",
  "dataChange",
  "stats",
  "baseRowId",
  "defaultRowCommitVersion",
] as const;
const mapFields = ["partitionValues", "tags"] as const;
const dvFields = ["storageType", "pathOrInlineDv", "offset", "sizeInBytes", "cardinality"] as const;

interface AddLeaves {
  scalars: Map<string, LeafCursor>;
  maps: Map<string, { keys: LeafCursor; values: LeafCursor | undefined }>;
  dv: Map<string, LeafCursor>;
}

function chunkRange(meta: ColumnMetaData): [number, number] {
  const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
  return [start, start + Number(meta.total_compressed_size)];
}

/** Whether a row group can hold any non-null value of the top-level column, by its statistics. */
export function groupMayHold(group: RowGroup, column: string): boolean {
  let seen = false;
  for (const chunk of group.columns) {
    const meta = chunk.meta_data;
    if (meta?.path_in_schema[0] !== column) continue;
    seen = true;
    const nulls = meta.statistics?.null_count;
    if (nulls === undefined || Number(nulls) < Number(meta.num_values)) return true;
  }
  return !seen;
}

/**
 * Whether the leaf need not be read: its statistics say every entry is null, so every row reads
 * as absent without it. Not for the path (it tells which rows hold an add) nor tags (an empty map
 * is logged as tags, a null one is not, and both count as null entries).
 */
function skippable(meta: ColumnMetaData): boolean {
  const [, field] = meta.path_in_schema;
  if (field === "path" || field === "tags") return false;
  const nulls = meta.statistics?.null_count;
  return nulls !== undefined && Number(nulls) === Number(meta.num_values);
}

async function openLeaves(file: RandomAccessFile, tree: SchemaTree, group: RowGroup): Promise<AddLeaves> {
  const metas = group.columns
    .map((chunk) => chunk.meta_data)
    .filter((meta): meta is ColumnMetaData => meta?.path_in_schema[0] === "add" && !skippable(meta));
  const buffers = await Promise.all(metas.map((meta) => file.slice(...chunkRange(meta))));
  const leaves: AddLeaves = { scalars: new Map(), maps: new Map(), dv: new Map() };
  const mapParts = new Map<string, { keys?: LeafCursor; values?: LeafCursor }>();
  metas.forEach((meta, index) => {
    const cursor = new LeafCursor(buffers[index] as ArrayBuffer, leafDecoder(tree, meta));
    const [, field, sub] = meta.path_in_schema;
    if (field === undefined) return;
    if ((scalarFields as readonly string[]).includes(field) && sub === undefined) {
      leaves.scalars.set(field, cursor);
    } else if (field === "deletionVector" && sub !== undefined) {
      leaves.dv.set(sub, cursor);
    } else if ((mapFields as readonly string[]).includes(field)) {
      const parts = mapParts.get(field) ?? {};
      if (meta.path_in_schema[meta.path_in_schema.length - 1] === "value") parts.values = cursor;
      else parts.keys = cursor;
      mapParts.set(field, parts);
    }
  });
  // without its keys (all null) a map is null or empty in every row
  for (const [field, { keys, values }] of mapParts) {
    if (keys) leaves.maps.set(field, { keys, values });
  }
  return leaves;
}

function scalar(cursor: LeafCursor | undefined): unknown {
  if (!cursor?.next()) return undefined;
  return cursor.def === cursor.maxDef ? cursor.value : null;
}

/** One row's map as key/value entries (the form parseAdd reads from Parquet), null when absent. */
function mapEntries(leaves: { keys: LeafCursor; values: LeafCursor | undefined } | undefined) {
  if (!leaves) return undefined;
  const { keys, values } = leaves;
  const entries: { key: unknown; value: unknown }[] = [];
  let present = false;
  let more = keys.next();
  values?.next();
  while (more) {
    if (keys.def >= keys.maxDef - 1) present = true;
    if (keys.def === keys.maxDef) {
      const value = values && values.def === values.maxDef ? values.value : null;
      entries.push({ key: keys.value, value });
    }
    if (keys.peekRep() === 0) break;
    more = keys.next();
    values?.next();
  }
  return present ? entries : null;
}

function deletionVectorOf(dv: Map<string, LeafCursor>): Record<string, unknown> | null {
  if (dv.size === 0) return null;
  const raw: Record<string, unknown> = {};
  for (const field of dvFields) raw[field] = scalar(dv.get(field));
  return raw;
}

/** Null as undefined, the way parseAdd reads a field a Parquet row leaves out. */
const given = (value: unknown) => (value === null ? undefined : value);

/** Appends the adds of a checkpoint file to `columns`. */
export async function readCheckpointAdds(
  file: RandomAccessFile,
  metadata: FileMetaData,
  where: string,
  columns: FileColumns,
): Promise<void> {
  const tree = parquetSchema(metadata);
  for (const group of metadata.row_groups) {
    if (!groupMayHold(group, "add")) continue;
    const { scalars, maps, dv } = await openLeaves(file, tree, group);
    const path = scalars.get("path");
    if (!path) throw new CorruptLogError(`${where}: the checkpoint has no add.path column`);
    const size = scalars.get("size");
    const modificationTime = scalars.get("modificationTime");
    const dataChange = scalars.get("dataChange");
    const stats = scalars.get("stats");
    const baseRowId = scalars.get("baseRowId");
    const defaultRowCommitVersion = scalars.get("defaultRowCommitVersion");
    const partitionValues = maps.get("partitionValues");
    const tags = maps.get("tags");
    const rows = Number(group.num_rows);
    for (let row = 0; row < rows; row++) {
      // every leaf moves one row on, whether or not the row holds an add
      const raw = {
        path: given(scalar(path)),
        size: given(scalar(size)),
        modificationTime: given(scalar(modificationTime)),
        dataChange: given(scalar(dataChange)),
        stats: given(scalar(stats)),
        baseRowId: given(scalar(baseRowId)),
        defaultRowCommitVersion: given(scalar(defaultRowCommitVersion)),
        partitionValues: given(mapEntries(partitionValues)),
        tags: given(mapEntries(tags)),
        deletionVector: given(deletionVectorOf(dv)),
      };
      // the add struct is present when its path leaf is defined at least to the struct's level
      if (path.def < 1) continue;
      columns.appendFile(parseAdd(raw, where));
    }
  }
}
