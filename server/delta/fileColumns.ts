// The active files of a snapshot in columnar form: typed arrays for sizes, times and flags, packed
// UTF-8 for paths and stats (kept as the JSON string literal a file line carries), interned
// partition values, and the rare fields (tags, deletion vectors, row tracking) in a sparse map.
// A file is a row number; an AddFile object is made only when someone asks for one.
import { hash } from "node:crypto";
import type { AddFile, DeletionVectorDescriptor, PartitionValues } from "./actions.ts";
import { ByteColumn } from "./byteColumn.ts";
import { fileKey } from "./fileKey.ts";

/** The fields few files have; kept per row only where present. */
export interface FileExtras {
  tags?: Record<string, string>;
  deletionVector?: DeletionVectorDescriptor;
  baseRowId?: number;
  defaultRowCommitVersion?: number;
}

export interface FileRow {
  path: string;
  partitionValues: PartitionValues;
  size: number;
  modificationTime: number;
  dataChange: boolean;
  stats?: string | undefined;
  extras?: FileExtras | undefined;
}

/** Interned partition values: every file of a partition shares one object and its JSON text. */
class PartitionTable {
  readonly values: PartitionValues[] = [{}];
  readonly json: string[] = ["{}"];
  readonly #ids = new Map<string, number>([["{}", 0]]);

  intern(values: PartitionValues): number {
    for (const _ in values) {
      const text = JSON.stringify(values);
      let id = this.#ids.get(text);
      if (id === undefined) {
        id = this.values.length;
        this.values.push(Object.freeze({ ...values }));
        this.json.push(text);
        this.#ids.set(text, id);
      }
      return id;
    }
    return 0;
  }
}

// FNV-1a over UTF-16 code units: spreads the keys of one table well enough for open addressing.
export function keyHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function extrasOf(file: AddFile): FileExtras | undefined {
  const { path, partitionValues, size, modificationTime, dataChange, stats, ...rest } = file;
  return Object.keys(rest).length > 0 ? (rest as FileExtras) : undefined;
}

export class FileColumns {
  count = 0;
  readonly paths: ByteColumn;
  /** The stats as the JSON string literal a file line carries (quotes and escapes included). */
  readonly statsJson: ByteColumn;
  sizes: Float64Array;
  modificationTimes: Float64Array;
  dataChange: Uint8Array;
  partitionIds: Uint32Array;
  readonly partitions = new PartitionTable();
  readonly extras = new Map<number, FileExtras>();
  /** Rows superseded by a later row with the same key while building. */
  readonly superseded = new Set<number>();
  #hashes: Uint32Array;
  #slots: Int32Array = new Int32Array(0);
  #ids: Uint8Array | undefined;
  #idKnown: Uint8Array | undefined;
  /** The ids as a Buffer, to read them as hex without a Buffer per call. */
  #idsText: Buffer | undefined;
  totalSize = 0;

  constructor(capacity: number) {
    const rows = Math.max(16, capacity);
    this.paths = new ByteColumn(rows);
    this.statsJson = new ByteColumn(rows);
    this.sizes = new Float64Array(rows);
    this.modificationTimes = new Float64Array(rows);
    this.dataChange = new Uint8Array(rows);
    this.partitionIds = new Uint32Array(rows);
    this.#hashes = new Uint32Array(rows);
  }

  /** Bytes held by the columns (not counting the interned partitions and extras). */
  get byteSize(): number {
    return (
      this.paths.byteSize +
      this.statsJson.byteSize +
      this.sizes.byteLength +
      this.modificationTimes.byteLength +
      this.dataChange.byteLength +
      this.partitionIds.byteLength +
      this.#hashes.byteLength +
      this.#slots.byteLength +
      (this.#ids?.byteLength ?? 0) +
      (this.#idKnown?.byteLength ?? 0)
    );
  }

  append(row: FileRow): void {
    const index = this.count++;
    if (index === this.sizes.length) this.#grow();
    this.paths.push(row.path);
    this.statsJson.push(row.stats === undefined ? undefined : JSON.stringify(row.stats));
    this.sizes[index] = row.size;
    this.modificationTimes[index] = row.modificationTime;
    this.dataChange[index] = row.dataChange ? 1 : 0;
    this.partitionIds[index] = this.partitions.intern(row.partitionValues);
    this.totalSize += row.size;
    if (row.extras) this.extras.set(index, row.extras);
    this.#hashes[index] = keyHash(fileKey({ path: row.path, deletionVector: row.extras?.deletionVector }));
  }

  appendFile(file: AddFile): void {
    const { path, partitionValues, size, modificationTime, dataChange, stats } = file;
    // most files have none of the rare fields: no rest object to make for them
    const plain =
      file.tags === undefined &&
      file.deletionVector === undefined &&
      file.baseRowId === undefined &&
      file.defaultRowCommitVersion === undefined;
    const extras = plain ? undefined : extrasOf(file);
    this.append({ path, partitionValues, size, modificationTime, dataChange, stats, extras });
  }

  /** Ends building: trims the arrays and indexes the keys (a repeated key keeps its last row). */
  seal(): this {
    const n = this.count;
    this.paths.seal();
    this.statsJson.seal();
    this.sizes = this.sizes.slice(0, n);
    this.modificationTimes = this.modificationTimes.slice(0, n);
    this.dataChange = this.dataChange.slice(0, n);
    this.partitionIds = this.partitionIds.slice(0, n);
    this.#hashes = this.#hashes.slice(0, n);
    let capacity = 16;
    while (capacity < n * 2) capacity *= 2;
    const slots = new Int32Array(capacity).fill(-1);
    const hashes = this.#hashes;
    const mask = capacity - 1;
    this.#slots = slots;
    // the probing of #find, without its allocations: this runs once per file of a cold snapshot
    for (let row = 0; row < n; row++) {
      const rowHash = hashes[row] as number;
      let slot = rowHash & mask;
      let key: string | undefined;
      for (let other = slots[slot] as number; other >= 0; other = slots[slot] as number) {
        if (hashes[other] === rowHash) {
          key ??= this.key(row);
          if (this.key(other) === key) {
            this.superseded.add(other);
            this.totalSize -= this.sizes[other] as number;
            break;
          }
        }
        slot = (slot + 1) & mask;
      }
      slots[slot] = row;
    }
    return this;
  }

  /** The row holding `key`, or -1. */
  indexOf(key: string): number {
    if (this.count === 0) return -1;
    return this.#find(key, keyHash(key));
  }

  path(row: number): string {
    return this.paths.get(row) as string;
  }

  key(row: number): string {
    return fileKey({ path: this.path(row), deletionVector: this.extras.get(row)?.deletionVector });
  }

  stats(row: number): string | undefined {
    const literal = this.statsJson.get(row);
    return literal === undefined ? undefined : (JSON.parse(literal) as string);
  }

  partitionValues(row: number): PartitionValues {
    return this.partitions.values[this.partitionIds[row] as number] as PartitionValues;
  }

  partitionJson(row: number): string {
    return this.partitions.json[this.partitionIds[row] as number] as string;
  }

  /** The file's stable id in the parquet format (MD5 of its logged path, as hex), computed once per row. */
  fileIdHex(row: number): string {
    this.#ids ??= new Uint8Array(this.count * 16);
    this.#idKnown ??= new Uint8Array(this.count);
    const ids = this.#ids;
    if (this.#idKnown[row] === 0) {
      const path = this.paths.bytes(row) ?? new Uint8Array(0);
      ids.set(hash("md5", path, "buffer"), row * 16);
      this.#idKnown[row] = 1;
    }
    this.#idsText ??= Buffer.from(ids.buffer, ids.byteOffset, ids.byteLength);
    return this.#idsText.toString("hex", row * 16, row * 16 + 16);
  }

  file(row: number): AddFile {
    const stats = this.stats(row);
    return {
      path: this.path(row),
      partitionValues: this.partitionValues(row),
      size: this.sizes[row] as number,
      modificationTime: this.modificationTimes[row] as number,
      dataChange: this.dataChange[row] === 1,
      ...(stats !== undefined ? { stats } : {}),
      ...this.extras.get(row),
    };
  }

  /** The row holding `key` (its hash given), or -1. */
  #find(key: string, keyHashValue: number): number {
    const mask = this.#slots.length - 1;
    let slot = keyHashValue & mask;
    while (true) {
      const row = this.#slots[slot] as number;
      if (row < 0) return -1;
      if (this.#hashes[row] === keyHashValue && this.key(row) === key) return row;
      slot = (slot + 1) & mask;
    }
  }

  #grow(): void {
    const size = this.sizes.length * 2;
    const grown = <T extends Float64Array | Uint8Array | Uint32Array>(
      array: T,
      make: (n: number) => T,
    ): T => {
      const next = make(size);
      next.set(array);
      return next;
    };
    this.sizes = grown(this.sizes, (n) => new Float64Array(n));
    this.modificationTimes = grown(this.modificationTimes, (n) => new Float64Array(n));
    this.dataChange = grown(this.dataChange, (n) => new Uint8Array(n));
    this.partitionIds = grown(this.partitionIds, (n) => new Uint32Array(n));
    this.#hashes = grown(this.#hashes, (n) => new Uint32Array(n));
  }
}
