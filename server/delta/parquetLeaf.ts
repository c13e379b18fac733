// One leaf column of one Parquet row group, read a page at a time as Dremel levels and values:
// no row objects, no nested assembly. The checkpoint reader walks several of these in lockstep to
// build a snapshot's columns directly.
import type { ColumnMetaData, DecodedArray, SchemaTree } from "hyparquet";
import { parquetHeader } from "hyparquet/src/column.js";
import { convert, convertWithDictionary, DEFAULT_PARSERS } from "hyparquet/src/convert.js";
import { decompressPage, readDataPage, readDataPageV2 } from "hyparquet/src/datapage.js";
import { readPlain } from "hyparquet/src/plain.js";
import { getMaxDefinitionLevel, getMaxRepetitionLevel, getTreePath } from "hyparquet/src/schema.js";
import type { ColumnDecoder } from "hyparquet/src/types.js";
import { compressors } from "hyparquet-compressors";

/** The leaf's decoder from the file's schema tree and the column chunk's metadata. */
export function leafDecoder(tree: SchemaTree, meta: ColumnMetaData): ColumnDecoder {
  const schemaPath = getTreePath(tree, meta.path_in_schema);
  const element = schemaPath[schemaPath.length - 1]?.element;
  if (!element) throw new Error(`no schema element for ${meta.path_in_schema.join(".")}`);
  return {
    pathInSchema: meta.path_in_schema,
    element,
    schemaPath,
    type: meta.type,
    codec: meta.codec,
    parsers: DEFAULT_PARSERS,
    compressors,
  };
}

/**
 * A cursor over the level entries of a column chunk. After `next()`, `def` and `rep` describe the
 * entry and `value` holds its value when `def === maxDef`.
 */
export class LeafCursor {
  readonly maxDef: number;
  readonly maxRep: number;
  def = 0;
  rep = 0;
  value: unknown;
  readonly #decoder: ColumnDecoder;
  readonly #view: DataView;
  #offset = 0;
  #dictionary: DecodedArray | undefined;
  #defs: number[] = [];
  #reps: number[] = [];
  #values: DecodedArray = [];
  #levels = 0;
  #level = 0;
  #valueIndex = 0;

  constructor(chunk: ArrayBuffer, decoder: ColumnDecoder) {
    this.#decoder = decoder;
    this.#view = new DataView(chunk);
    this.maxDef = getMaxDefinitionLevel(decoder.schemaPath);
    this.maxRep = getMaxRepetitionLevel(decoder.schemaPath);
  }

  /** Moves to the next entry; false when the chunk has no more. */
  next(): boolean {
    while (this.#level >= this.#levels) {
      if (!this.#readPage()) return false;
    }
    const i = this.#level++;
    this.def = this.#defs.length > 0 ? (this.#defs[i] as number) : this.maxDef;
    this.rep = this.#reps.length > 0 ? (this.#reps[i] as number) : 0;
    this.value = this.def === this.maxDef ? this.#values[this.#valueIndex++] : undefined;
    return true;
  }

  /** The repetition level of the entry after this one; 0 (a new row) at the end of the chunk. */
  peekRep(): number {
    while (this.#level >= this.#levels) {
      if (!this.#readPage()) return 0;
    }
    return this.#reps.length > 0 ? (this.#reps[this.#level] as number) : 0;
  }

  /** Moves past `count` entries without reading them. */
  skip(count: number): void {
    let left = count;
    while (left > 0) {
      while (this.#level >= this.#levels) {
        if (!this.#readPage()) return;
      }
      const end = Math.min(this.#levels, this.#level + left);
      if (this.#defs.length === 0) this.#valueIndex += end - this.#level;
      else for (let i = this.#level; i < end; i++) if (this.#defs[i] === this.maxDef) this.#valueIndex++;
      left -= end - this.#level;
      this.#level = end;
    }
  }

  /**
   * Moves past the entries, up to `limit`, whose top-level column is absent (definition level 0,
   * one entry per row), stopping before the first present one; how many it moved past.
   */
  skipAbsent(limit: number): number {
    let skipped = 0;
    while (skipped < limit) {
      while (this.#level >= this.#levels) {
        if (!this.#readPage()) return skipped;
      }
      const defs = this.#defs;
      if (defs.length === 0) return skipped;
      const start = this.#level;
      const end = Math.min(this.#levels, start + limit - skipped);
      let i = start;
      while (i < end && defs[i] === 0) i++;
      skipped += i - start;
      this.#level = i;
      if (i < end) return skipped;
    }
    return skipped;
  }

  #readPage(): boolean {
    const view = this.#view;
    if (this.#offset >= view.byteLength - 1) return false;
    const reader = { view, offset: this.#offset };
    const header = parquetHeader(reader);
    const bytes = new Uint8Array(view.buffer, view.byteOffset + reader.offset, header.compressed_page_size);
    this.#offset = reader.offset + header.compressed_page_size;
    const decoder = this.#decoder;
    if (header.type === "DICTIONARY_PAGE") {
      const page = decompressPage(bytes, header.uncompressed_page_size, decoder.codec, decoder.compressors);
      const pageView = new DataView(page.buffer, page.byteOffset, page.byteLength);
      const count = header.dictionary_page_header?.num_values ?? 0;
      const plain = readPlain(
        { view: pageView, offset: 0 },
        decoder.type,
        count,
        decoder.element.type_length,
      );
      this.#dictionary = convert(plain, decoder);
      return true;
    }
    let page: ReturnType<typeof readDataPage>;
    let encoding: string;
    let entries: number;
    if (header.type === "DATA_PAGE" && header.data_page_header) {
      const raw = decompressPage(bytes, header.uncompressed_page_size, decoder.codec, decoder.compressors);
      page = readDataPage(raw, header.data_page_header, decoder);
      encoding = header.data_page_header.encoding;
      entries = header.data_page_header.num_values;
    } else if (header.type === "DATA_PAGE_V2" && header.data_page_header_v2) {
      page = readDataPageV2(bytes, header, decoder);
      encoding = header.data_page_header_v2.encoding;
      entries = header.data_page_header_v2.num_values;
    } else {
      return true; // index pages and the like carry no values
    }
    this.#defs = page.definitionLevels ?? [];
    this.#reps = page.repetitionLevels;
    this.#values = convertWithDictionary(page.dataPage, this.#dictionary, encoding as never, decoder);
    this.#levels = entries;
    this.#level = 0;
    this.#valueIndex = 0;
    return true;
  }
}
