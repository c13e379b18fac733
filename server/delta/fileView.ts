// One reusable AddFile-shaped view over a snapshot's columns: moved from file to file, it lets
// pruning and line writing read a file's fields without making an object per file per request.
import type { AddFile, DeletionVectorDescriptor, PartitionValues } from "./actions.ts";
import type { ActiveFiles } from "./activeFiles.ts";

export class FileView implements AddFile {
  readonly #files: ActiveFiles;
  #handle = 0;
  #added: AddFile | undefined;

  constructor(files: ActiveFiles) {
    this.#files = files;
  }

  /** Points the view at another file. */
  at(handle: number): this {
    this.#handle = handle;
    this.#added = this.#files.addedFile(handle);
    return this;
  }

  get handle(): number {
    return this.#handle;
  }

  /** The file as an object of its own (for the rare paths that keep or spread it). */
  file(): AddFile {
    return this.#added ?? this.#files.base.file(this.#handle);
  }

  get path(): string {
    return this.#added?.path ?? this.#files.base.path(this.#handle);
  }

  get partitionValues(): PartitionValues {
    return this.#added?.partitionValues ?? this.#files.base.partitionValues(this.#handle);
  }

  get size(): number {
    return this.#added?.size ?? (this.#files.base.sizes[this.#handle] as number);
  }

  get modificationTime(): number {
    return this.#added?.modificationTime ?? (this.#files.base.modificationTimes[this.#handle] as number);
  }

  get dataChange(): boolean {
    return this.#added ? this.#added.dataChange : this.#files.base.dataChange[this.#handle] === 1;
  }

  get stats(): string | undefined {
    return this.#added ? this.#added.stats : this.#files.base.stats(this.#handle);
  }

  get deletionVector(): DeletionVectorDescriptor | undefined {
    return this.#added
      ? this.#added.deletionVector
      : this.#files.base.extras.get(this.#handle)?.deletionVector;
  }

  /** The stats as a JSON string literal, ready for a file line. */
  get statsJson(): string | undefined {
    if (this.#added) return this.#added.stats === undefined ? undefined : JSON.stringify(this.#added.stats);
    return this.#files.base.statsJson.get(this.#handle);
  }

  get partitionJson(): string {
    return this.#added
      ? JSON.stringify(this.#added.partitionValues)
      : this.#files.base.partitionJson(this.#handle);
  }

  /** The precomputed file id, when the file has one (no deletion vector, not an added object). */
  get fileIdHex(): string | undefined {
    return this.#added ? undefined : this.#files.base.fileIdHex(this.#handle);
  }
}
