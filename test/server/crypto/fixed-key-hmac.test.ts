// The HMAC made of two one-shot SHA-256 equals node:crypto's createHmac for keys below, at and
// above the block size and for messages that fit its scratch buffer or not, ASCII or not.
import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { fixedKeyHmac } from "../../../server/crypto/fixedKeyHmac.ts";

describe("fixed-key HMAC-SHA256", () => {
  test("equals createHmac for every key length from 0 to 130 bytes", () => {
    for (let length = 0; length <= 130; length++) {
      const key = randomBytes(length);
      const hmac = fixedKeyHmac(key);
      for (const message of ["", "a", "x".repeat(55), "y".repeat(64), "z".repeat(200)]) {
        const expected = createHmac("sha256", key).update(message).digest();
        assert.equal(
          hmac(message, "hex"),
          expected.toString("hex"),
          `key ${length}, message ${message.length}`,
        );
        assert.deepEqual(hmac(message, "buffer"), expected);
      }
    }
  });

  test("equals createHmac for messages around and beyond the scratch buffer, and for UTF-8", () => {
    const key = randomBytes(32);
    const hmac = fixedKeyHmac(key);
    const messages = [
      ...[300, 341, 342, 343, 1023, 1024, 1025, 5000].map((n) => "m".repeat(n)),
      "é中😀\0".repeat(90),
      "é中😀".repeat(400),
      "a lone surrogate \ud800 here",
    ];
    for (const message of messages) {
      const expected = createHmac("sha256", key).update(message).digest("hex");
      assert.equal(hmac(message, "hex"), expected, `message of ${message.length} units`);
    }
  });

  test("answers the same before and after a long message (the scratch buffer is not left dirty)", () => {
    const key = randomBytes(48);
    const hmac = fixedKeyHmac(key);
    const short = hmac("short", "hex");
    hmac("l".repeat(1000), "hex");
    hmac("é".repeat(2000), "hex");
    assert.equal(hmac("short", "hex"), short);
    assert.equal(short, createHmac("sha256", key).update("short").digest("hex"));
  });
});
