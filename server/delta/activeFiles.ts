// The active files of a snapshot: columns read from a checkpoint (or compacted from commits), minus
// the rows later commits removed, plus the few files later commits added, kept as objects until
// there are enough of them to compact. A file is a handle: a column row, or past the rows an index
// into the added files. Incremental refreshes share the columns and copy only the small overlay.
import type { AddFile } from "./actions.ts";
import { FileColumns } from "./fileColumns.ts";
import { fileKey } from "./fileKey.ts";

/** Added files kept as objects before they are folded into columns. */
const overlayLimit = 4096;

export class ActiveFiles {
  readonly base: FileColumns;
  readonly #removed: Uint8Array | undefined;
  readonly #added: readonly AddFile[];
  readonly #addedKeys: ReadonlyMap<string, number>;
  readonly size: number;
  readonly totalSize: number;
  readonly hasDeletionVectors: boolean;
  #keyOrder: Uint32Array | undefined;

  constructor(base: FileColumns, removed: Uint8Array | undefined, added: Map<string, AddFile>) {
    this.base = base;
    this.#removed = removed;
    this.#added = [...added.values()];
    this.#addedKeys = new Map([...added.keys()].map((key, index) => [key, index]));
    let size = base.count;
    let totalSize = base.totalSize;
    if (removed) {
      for (let row = 0; row < base.count; row++) {
        if (removed[row] === 1) {
          size--;
          totalSize -= base.sizes[row] as number;
        }
      }
    }
    let dv = false;
    for (const extras of base.extras.values()) if (extras.deletionVector) dv = true;
    for (const file of this.#added) {
      totalSize += file.size;
      if (file.deletionVector) dv = true;
    }
    this.size = size + this.#added.length;
    this.totalSize = totalSize;
    this.hasDeletionVectors = dv;
  }

  static empty(): ActiveFiles {
    return new ActiveFiles(new FileColumns(0).seal(), undefined, new Map());
  }

  /** Bytes held by the columns and, roughly, the added objects. */
  get byteSize(): number {
    return this.base.byteSize + (this.#removed?.byteLength ?? 0) + this.#added.length * 600;
  }

  has(key: string): boolean {
    return this.#addedKeys.has(key) || this.#liveRow(key) >= 0;
  }

  /** Handles of the active files: column rows in order, then the added files. */
  *handles(): Generator<number> {
    const removed = this.#removed;
    const rows = this.base.count;
    for (let row = 0; row < rows; row++) if (removed === undefined || removed[row] === 0) yield row;
    for (let i = 0; i < this.#added.length; i++) yield rows + i;
  }

  /** The added file behind a handle, or undefined for a column row. */
  addedFile(handle: number): AddFile | undefined {
    return handle < this.base.count ? undefined : this.#added[handle - this.base.count];
  }

  file(handle: number): AddFile {
    return this.addedFile(handle) ?? this.base.file(handle);
  }

  keyOf(handle: number): string {
    const added = this.addedFile(handle);
    return added ? fileKey(added) : this.base.key(handle);
  }

  *keys(): Generator<string> {
    for (const handle of this.handles()) yield this.keyOf(handle);
  }

  *values(): Generator<AddFile> {
    for (const handle of this.handles()) yield this.file(handle);
  }

  /** Handles sorted by key, computed once per snapshot (paged queries resume after a key). */
  keyOrder(): Uint32Array {
    if (this.#keyOrder) return this.#keyOrder;
    const handles = Uint32Array.from(this.handles());
    const keys = Array.from(handles, (handle) => this.keyOf(handle));
    const order = Array.from(keys.keys()).sort((a, b) => {
      const x = keys[a] as string;
      const y = keys[b] as string;
      return x < y ? -1 : x > y ? 1 : 0;
    });
    this.#keyOrder = Uint32Array.from(order, (index) => handles[index] as number);
    return this.#keyOrder;
  }

  #liveRow(key: string): number {
    const row = this.base.indexOf(key);
    if (row < 0 || this.#removed?.[row] === 1) return -1;
    return row;
  }

  /** The same files, all in columns (what a snapshot with many added files becomes). */
  compacted(): ActiveFiles {
    return this.changes().compact();
  }

  /** A copy to apply later commits to. */
  changes(): FileChanges {
    return new FileChanges(this.base, this.#removed, this.#added);
  }
}

/** Adds and removes applied on top of a snapshot's files, building the next snapshot's. */
export class FileChanges {
  readonly #base: FileColumns;
  #removed: Uint8Array | undefined;
  #ownRemoved = false;
  readonly #added = new Map<string, AddFile>();

  constructor(base: FileColumns, removed?: Uint8Array, added: readonly AddFile[] = []) {
    this.#base = base;
    this.#removed = removed;
    for (const file of added) this.#added.set(fileKey(file), file);
    if (base.superseded.size > 0 && !removed) {
      this.#markRemoved(...base.superseded);
    }
  }

  add(file: AddFile): void {
    const key = fileKey(file);
    const row = this.#base.indexOf(key);
    if (row >= 0) this.#markRemoved(row);
    this.#added.delete(key);
    this.#added.set(key, file);
  }

  remove(key: string): void {
    if (this.#added.delete(key)) return;
    const row = this.#base.indexOf(key);
    if (row >= 0) this.#markRemoved(row);
  }

  finish(): ActiveFiles {
    if (this.#added.size <= overlayLimit || this.#added.size * 8 <= this.#base.count) {
      return new ActiveFiles(this.#base, this.#removed, this.#added);
    }
    return this.compact();
  }

  /** The files with every added one folded into fresh columns. */
  compact(): ActiveFiles {
    const columns = new FileColumns(this.#base.count + this.#added.size);
    for (let row = 0; row < this.#base.count; row++) {
      if (this.#removed?.[row] !== 1) columns.appendFile(this.#base.file(row));
    }
    for (const file of this.#added.values()) columns.appendFile(file);
    return new ActiveFiles(columns.seal(), undefined, new Map());
  }

  #markRemoved(...rows: number[]): void {
    if (!this.#ownRemoved) {
      this.#removed = this.#removed ? this.#removed.slice() : new Uint8Array(this.#base.count);
      this.#ownRemoved = true;
    }
    for (const row of rows) (this.#removed as Uint8Array)[row] = 1;
  }
}
