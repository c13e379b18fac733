// What building a snapshot will cost in memory, known before its files are read: from the
// checkpoint footers (rows, and the bytes of the path and stats values the snapshot keeps) and the
// sizes of the JSON commits to replay. Budget admission uses it; it errs high. A dictionary-encoded
// column's footer size says little about its values (the synthetic tables repeat one stats text),
// so for those the dictionary page's header gives the average value length instead.
import type { ColumnMetaData } from "hyparquet";
import { parquetHeader } from "hyparquet/src/column.js";
import type { OpenCheckpoint } from "./checkpointReader.ts";
import type { LogFile } from "./logFiles.ts";

/** Fixed bytes a file costs in columns: sizes, times, flags, partition id, indexes, hash slots, id. */
const bytesPerRow = 96;
/** Commit JSON parsed into action objects, kept as added files until compacted. */
const bytesPerCommitByte = 6;
/** Page buffers and decoded values of the row group being read, beyond its compressed bytes. */
const readSlack = 8 * 2 ** 20;
/** Enough bytes to hold a page header. */
const headerProbe = 256;

/** The bytes of a chunk's values as the snapshot keeps them (UTF-8, no length prefixes). */
async function valueBytes(part: OpenCheckpoint, meta: ColumnMetaData): Promise<number> {
  const values = Number(meta.num_values);
  const plain = Math.max(0, Number(meta.total_uncompressed_size) - 4 * values);
  if (!meta.dictionary_page_offset) return plain;
  const start = Number(meta.dictionary_page_offset);
  const bytes = await part.file.slice(start, Math.min(start + headerProbe, part.file.byteLength));
  const header = parquetHeader({ view: new DataView(bytes), offset: 0 });
  const entries = header.dictionary_page_header?.num_values ?? 0;
  if (header.type !== "DICTIONARY_PAGE" || entries === 0) return plain;
  const average = Math.max(0, header.uncompressed_page_size - 4 * entries) / entries;
  return Math.max(plain, average * values);
}

export async function checkpointEstimate(parts: readonly OpenCheckpoint[]): Promise<number> {
  let bytes = 0;
  let largestGroup = 0;
  for (const part of parts) {
    for (const group of part.metadata.row_groups) {
      let groupCompressed = 0;
      for (const chunk of group.columns) {
        const meta = chunk.meta_data;
        if (meta?.path_in_schema[0] !== "add") continue;
        groupCompressed += Number(meta.total_compressed_size);
        const field = meta.path_in_schema[1];
        if (field === "path") bytes += await valueBytes(part, meta);
        // stats are kept as a JSON string literal: quotes escaped
        else if (field === "stats") bytes += (await valueBytes(part, meta)) * 1.2;
        else if (field === "tags" || field === "deletionVector")
          bytes += Number(meta.total_uncompressed_size);
      }
      bytes += Number(group.num_rows) * bytesPerRow;
      largestGroup = Math.max(largestGroup, groupCompressed);
    }
  }
  return bytes + largestGroup * 3 + readSlack;
}

export function commitsEstimate(commits: readonly (LogFile | undefined)[]): number {
  let bytes = 0;
  for (const commit of commits) bytes += (commit?.size ?? 0) * bytesPerCommitByte;
  return bytes;
}
