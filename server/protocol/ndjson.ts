// Streams NDJSON (objects, or text already encoded as lines): the first line leaves before the last one is computed, and a slow reader slows
// the producer (backpressure) instead of the server buffering the whole table.
import { Readable } from "node:stream";

export function ndjsonStream(lines: AsyncIterable<unknown> | Iterable<unknown>): Readable {
  async function* encode() {
    let batch = "";
    let count = 0;
    for await (const line of lines) {
      // strings are lines already encoded (one or many, each ending in a newline)
      batch += typeof line === "string" ? line : `${JSON.stringify(line)}\n`;
      count++;
      // the protocol and metadata lines leave at once; after them, a few lines per chunk keeps
      // syscalls down without holding much back
      if (count <= 2 || batch.length >= 16 * 1024) {
        yield batch;
        batch = "";
      }
    }
    if (batch !== "") yield batch;
  }
  return Readable.from(encode(), { objectMode: false, highWaterMark: 64 * 1024 });
}
