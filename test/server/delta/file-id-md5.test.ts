// The snapshot's own MD5 (file ids of the parquet format) against node:crypto's, on every message
// length across the block and padding boundaries and on paths with multi-byte characters.
import assert from "node:assert/strict";
import { hash, randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { md5Into } from "../../../server/delta/md5.ts";

const digest = (bytes: Uint8Array) => {
  const out = new Uint8Array(16);
  md5Into(bytes, 0, bytes.length, out, 0);
  return Buffer.from(out).toString("hex");
};

describe("file ids: MD5 of the stored path", () => {
  it("equals node:crypto's MD5 for every length from 0 to 300 bytes", () => {
    for (let length = 0; length <= 300; length++) {
      const bytes = randomBytes(length);
      assert.equal(digest(bytes), hash("md5", bytes, "hex"), `length ${length}`);
    }
  });

  it("hashes a range of a larger buffer into the given place only", () => {
    const buffer = Buffer.from("xx/part-00000-é中😀.parquet yy");
    const out = new Uint8Array(48).fill(7);
    md5Into(buffer, 2, buffer.length - 3, out, 16);
    assert.equal(
      Buffer.from(out.subarray(16, 32)).toString("hex"),
      hash("md5", "/part-00000-é中😀.parquet", "hex"),
    );
    assert.deepEqual([...out.subarray(0, 16), ...out.subarray(32)], new Array(32).fill(7));
  });

  it("gives the RFC 1321 test suite's digests", () => {
    assert.equal(digest(Buffer.from("")), "d41d8cd98f00b204e9800998ecf8427e");
    assert.equal(digest(Buffer.from("abc")), "900150983cd24fb0d6963f7d28e17f72");
    assert.equal(
      digest(Buffer.from("12345678901234567890123456789012345678901234567890123456789012345678901234567890")),
      "57edf4a22be3c955ac49da2e2107b67a",
    );
  });
});
