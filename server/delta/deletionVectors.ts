// Where a deletion vector lives (delta-io/delta PROTOCOL.md, Deletion Vectors): inline in the log
// ('i'), at a path relative to the table derived from a Z85-encoded UUID ('u'), or at an absolute
// path ('p').
import type { DeletionVectorDescriptor } from "./actions.ts";

const z85Alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
const z85Values = new Map([...z85Alphabet].map((char, index) => [char, index]));

export class DeletionVectorPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeletionVectorPathError";
  }
}

/** Z85 text (a multiple of 5 characters) to bytes. */
export function decodeZ85(text: string): Uint8Array {
  if (text.length % 5 !== 0) throw new DeletionVectorPathError("Z85 text length is not a multiple of 5");
  const bytes = new Uint8Array((text.length / 5) * 4);
  for (let block = 0; block < text.length / 5; block++) {
    let value = 0;
    for (let i = 0; i < 5; i++) {
      const digit = z85Values.get(text[block * 5 + i] ?? "");
      if (digit === undefined) throw new DeletionVectorPathError("not Z85 text");
      value = value * 85 + digit;
    }
    if (value > 0xffffffff) throw new DeletionVectorPathError("Z85 block out of range");
    bytes[block * 4] = (value >>> 24) & 0xff;
    bytes[block * 4 + 1] = (value >>> 16) & 0xff;
    bytes[block * 4 + 2] = (value >>> 8) & 0xff;
    bytes[block * 4 + 3] = value & 0xff;
  }
  return bytes;
}

function uuidText(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Where an on-disk deletion vector is, as a logged path (a URI, relative to the table or absolute,
 * that storage/loggedPath.ts turns into a key); `undefined` for an inline one.
 */
export function deletionVectorPath(dv: DeletionVectorDescriptor): string | undefined {
  if (dv.storageType === "i") return undefined;
  if (dv.storageType === "u") {
    const encoded = dv.pathOrInlineDv;
    if (encoded.length < 20) throw new DeletionVectorPathError("a 'u' deletion vector path is too short");
    // the prefix is plain text, not a URI: encoded so that decoding the logged path gives it back
    const prefix = encodeURIComponent(encoded.slice(0, encoded.length - 20));
    const name = `deletion_vector_${uuidText(decodeZ85(encoded.slice(-20)))}.bin`;
    return prefix === "" ? name : `${prefix}/${name}`;
  }
  if (dv.storageType === "p") return dv.pathOrInlineDv;
  throw new DeletionVectorPathError(`unknown deletion vector storage type '${dv.storageType}'`);
}
