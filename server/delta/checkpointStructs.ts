// The few rows of a checkpoint that hold a given top-level struct (metaData, protocol, sidecar),
// assembled from that struct's leaf columns with LeafCursors: the rows without it (every add of a
// million-file checkpoint) cost a few level reads each, never an object. Handles what those
// structs contain: scalars, nested structs, and lists and maps one level deep (maps come out as
// key/value entry lists, the form parseActions reads).
import type { ColumnMetaData, FileMetaData, RowGroup, SchemaTree } from "hyparquet";
import { parquetSchema } from "hyparquet";
import type { RandomAccessFile } from "../storage/storage.ts";
import { groupMayHold } from "./checkpointColumns.ts";
import { LeafCursor, leafDecoder } from "./parquetLeaf.ts";

type Raw = Record<string, unknown>;

interface Leaf {
  cursor: LeafCursor;
  /** Field names below the struct, up to the leaf. */
  path: string[];
  /** Definition level at which each path element is present. */
  defs: number[];
  /** Index in `path` of the repeated group, or -1. */
  repeated: number;
}

async function openLeaves(file: RandomAccessFile, tree: SchemaTree, group: RowGroup, column: string) {
  const metas = group.columns
    .map((chunk) => chunk.meta_data)
    .filter((meta): meta is ColumnMetaData => meta?.path_in_schema[0] === column);
  const buffers = await Promise.all(
    metas.map((meta) => {
      const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
      return file.slice(start, start + Number(meta.total_compressed_size));
    }),
  );
  return metas.map((meta, index): Leaf => {
    const decoder = leafDecoder(tree, meta);
    const defs: number[] = [];
    let def = 0;
    let repeated = -1;
    // schemaPath: root, the struct, then one element per path entry below it
    decoder.schemaPath.slice(1).forEach((node, depth) => {
      if (node.element.repetition_type !== "REQUIRED") def++;
      if (node.element.repetition_type === "REPEATED" && depth > 0 && repeated < 0) repeated = depth - 1;
      defs.push(def);
    });
    return {
      cursor: new LeafCursor(buffers[index] as ArrayBuffer, decoder),
      path: meta.path_in_schema.slice(1),
      defs: defs.slice(1),
      repeated,
    };
  });
}

/** The object at `path` in `raw`, made on the way. */
function objectAt(raw: Raw, path: string[]): Raw {
  let at = raw;
  for (const name of path) {
    const next = at[name];
    if (typeof next === "object" && next !== null) at = next as Raw;
    else {
      const made: Raw = {};
      at[name] = made;
      at = made;
    }
  }
  return at;
}

/** Places one row's entries of a leaf into the row's object; whether the struct was present. */
function place(raw: Raw, leaf: Leaf): boolean {
  const { cursor, path, defs, repeated } = leaf;
  if (!cursor.next()) return false;
  const present = cursor.def >= 1;
  if (repeated < 0) {
    // a scalar, maybe inside nested structs: set when its parent struct is there
    const parentDef = path.length === 1 ? 1 : (defs[path.length - 2] as number);
    if (cursor.def >= parentDef) {
      objectAt(raw, path.slice(0, -1))[path[path.length - 1] as string] =
        cursor.def === cursor.maxDef ? cursor.value : null;
    }
    return present;
  }
  const containerPath = path.slice(0, repeated);
  const containerName = containerPath[containerPath.length - 1] as string;
  const containerDef = defs[repeated - 1] ?? 1;
  const entryDef = defs[repeated] as number;
  const leafName = path[path.length - 1] as string;
  const isMap = leafName === "key" || leafName === "value";
  let items: unknown[] | undefined;
  let index = 0;
  while (true) {
    if (cursor.def >= containerDef) {
      const parent = objectAt(raw, containerPath.slice(0, -1));
      if (!Array.isArray(parent[containerName])) parent[containerName] = [];
      items = parent[containerName] as unknown[];
    }
    if (items && cursor.def >= entryDef) {
      const value = cursor.def === cursor.maxDef ? cursor.value : null;
      if (isMap) {
        const entry = (items[index] ?? {}) as Raw;
        entry[leafName] = value;
        items[index] = entry;
      } else {
        items[index] = value;
      }
      index++;
    }
    if (cursor.peekRep() === 0) break;
    cursor.next();
  }
  return present;
}

/** Rows of the checkpoint where `column` is present, as raw objects parseActions reads. */
export async function* readCheckpointStructs(
  file: RandomAccessFile,
  metadata: FileMetaData,
  column: string,
): AsyncIterable<Raw> {
  const tree = parquetSchema(metadata);
  if (!tree.children.some((child) => child.element.name === column)) return;
  for (const group of metadata.row_groups) {
    if (!groupMayHold(group, column)) continue;
    const leaves = await openLeaves(file, tree, group, column);
    const rows = Number(group.num_rows);
    const [pilot, ...others] = leaves;
    if (!pilot) continue;
    for (let row = 0; row < rows; row++) {
      // rows without the struct hold one entry with level 0 in every one of its leaves
      const absent = pilot.cursor.skipAbsent(rows - row);
      for (const leaf of others) leaf.cursor.skip(absent);
      row += absent;
      if (row >= rows) break;
      const raw: Raw = {};
      let present = false;
      for (const leaf of leaves) if (place(raw, leaf)) present = true;
      if (present) yield raw;
    }
  }
}
