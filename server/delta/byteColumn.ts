// Variable-length values (paths, stats) packed as UTF-8 into large shared buffers, one start and
// one length per value: a million values are a few buffers and two typed arrays, not a million
// strings on the JavaScript heap. Values never straddle buffers, so reading one is one decode.
const chunkBytes = 1 << 20;

export class ByteColumn {
  #chunks: Buffer[] = [];
  #used = 0;
  #starts: Float64Array;
  #lengths: Uint32Array;
  #count = 0;
  #bytes = 0;

  constructor(capacity: number) {
    this.#starts = new Float64Array(Math.max(16, capacity));
    this.#lengths = new Uint32Array(Math.max(16, capacity));
  }

  get count(): number {
    return this.#count;
  }

  /** Bytes held: the buffers and the index arrays. */
  get byteSize(): number {
    return this.#bytes + this.#starts.byteLength + this.#lengths.byteLength;
  }

  /** Appends a value; undefined is stored as an empty value that reads back as undefined. */
  push(text: string | undefined): void {
    const index = this.#count++;
    if (index === this.#starts.length) this.#grow();
    if (text === undefined || text === "") {
      this.#starts[index] = -1;
      this.#lengths[index] = 0;
      return;
    }
    let chunk = this.#chunks[this.#chunks.length - 1];
    let needed: number;
    // at most 3 bytes per UTF-16 unit: when that much room is left, write without measuring first
    if (chunk && this.#used + text.length * 3 <= chunk.length) {
      needed = chunk.write(text, this.#used, "utf8");
    } else {
      needed = Buffer.byteLength(text, "utf8");
      if (!chunk || this.#used + needed > chunk.length) {
        chunk = Buffer.allocUnsafeSlow(Math.max(chunkBytes, needed));
        this.#chunks.push(chunk);
        this.#used = 0;
        this.#bytes += chunk.length;
      }
      chunk.write(text, this.#used, "utf8");
    }
    this.#starts[index] = (this.#chunks.length - 1) * 2 ** 32 + this.#used;
    this.#lengths[index] = needed;
    this.#used += needed;
  }

  /** The value at `index`, undefined when none was stored. */
  get(index: number): string | undefined {
    const start = this.#starts[index] as number;
    if (start < 0) return undefined;
    const chunk = this.#chunks[Math.floor(start / 2 ** 32)] as Buffer;
    const offset = start % 2 ** 32;
    return chunk.toString("utf8", offset, offset + (this.#lengths[index] as number));
  }

  /** The UTF-8 bytes of the value at `index` (a view, not a copy), undefined when none was stored. */
  bytes(index: number): Buffer | undefined {
    const start = this.#starts[index] as number;
    if (start < 0) return undefined;
    const chunk = this.#chunks[Math.floor(start / 2 ** 32)] as Buffer;
    const offset = start % 2 ** 32;
    return chunk.subarray(offset, offset + (this.#lengths[index] as number));
  }

  /** Frees the unused tail of the index arrays once all values are in. */
  seal(): void {
    if (this.#starts.length > this.#count) {
      this.#starts = this.#starts.slice(0, this.#count);
      this.#lengths = this.#lengths.slice(0, this.#count);
    }
  }

  #grow(): void {
    const starts = new Float64Array(this.#starts.length * 2);
    starts.set(this.#starts);
    this.#starts = starts;
    const lengths = new Uint32Array(this.#lengths.length * 2);
    lengths.set(this.#lengths);
    this.#lengths = lengths;
  }
}
