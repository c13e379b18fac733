// MD5 (RFC 1321) of bytes already in memory, written into a caller's array: a snapshot's file ids
// are the MD5 of each stored path, and for a cold answer of 100k files this is several times
// quicker than a call into node:crypto per path (its per-call set-up costs more than the hashing).
const shifts = Uint8Array.from([
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9,
  14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15,
  21, 6, 10, 15, 21,
]);
/** floor(abs(sin(i + 1)) * 2^32), as RFC 1321 defines the table. */
const sines = Int32Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0);
const words = new Int32Array(16);
const block = new Uint8Array(64);

function compress(state: Int32Array, bytes: Uint8Array, offset: number): void {
  for (let i = 0; i < 16; i++) {
    const at = offset + i * 4;
    words[i] =
      (bytes[at] as number) |
      ((bytes[at + 1] as number) << 8) |
      ((bytes[at + 2] as number) << 16) |
      ((bytes[at + 3] as number) << 24);
  }
  let a = state[0] as number;
  let b = state[1] as number;
  let c = state[2] as number;
  let d = state[3] as number;
  // the four rounds differ in their mixing function and word order only
  for (let i = 0; i < 64; i++) {
    let f: number;
    let g: number;
    if (i < 16) {
      f = d ^ (b & (c ^ d));
      g = i;
    } else if (i < 32) {
      f = c ^ (d & (b ^ c));
      g = (5 * i + 1) & 15;
    } else if (i < 48) {
      f = b ^ c ^ d;
      g = (3 * i + 5) & 15;
    } else {
      f = c ^ (b | ~d);
      g = (7 * i) & 15;
    }
    const sum = (a + f + (sines[i] as number) + (words[g] as number)) | 0;
    const shift = shifts[i] as number;
    a = d;
    d = c;
    c = b;
    b = (b + ((sum << shift) | (sum >>> (32 - shift)))) | 0;
  }
  state[0] = ((state[0] as number) + a) | 0;
  state[1] = ((state[1] as number) + b) | 0;
  state[2] = ((state[2] as number) + c) | 0;
  state[3] = ((state[3] as number) + d) | 0;
}

const state = new Int32Array(4);

/** Writes the 16-byte MD5 digest of `bytes[start, end)` into `out` at `outOffset`. */
export function md5Into(
  bytes: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  outOffset: number,
): void {
  state[0] = 0x67452301;
  state[1] = 0xefcdab89 | 0;
  state[2] = 0x98badcfe | 0;
  state[3] = 0x10325476;
  const length = end - start;
  let at = start;
  for (; at + 64 <= end; at += 64) compress(state, bytes, at);
  // the tail, the 0x80 marker and the bit length, in one or two more blocks
  const rest = end - at;
  block.fill(0);
  block.set(bytes.subarray(at, end));
  block[rest] = 0x80;
  if (rest >= 56) {
    compress(state, block, 0);
    block.fill(0);
  }
  const bits = length * 8;
  for (let i = 0; i < 4; i++) block[56 + i] = (bits >>> (8 * i)) & 0xff;
  const high = Math.floor(bits / 2 ** 32);
  for (let i = 0; i < 4; i++) block[60 + i] = (high >>> (8 * i)) & 0xff;
  compress(state, block, 0);
  for (let i = 0; i < 4; i++) {
    const word = state[i] as number;
    out[outOffset + i * 4] = word & 0xff;
    out[outOffset + i * 4 + 1] = (word >>> 8) & 0xff;
    out[outOffset + i * 4 + 2] = (word >>> 16) & 0xff;
    out[outOffset + i * 4 + 3] = (word >>> 24) & 0xff;
  }
}
