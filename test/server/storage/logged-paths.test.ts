// Logged paths become storage keys in one place (server/storage/loggedPath.ts): decoded once as
// URIs, byte-exact, never normalised; escaping and foreign absolute paths refused.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { addressOf, PathRefusedError, rootUri } from "../../../server/storage/loggedPath.ts";

const tableRoot = "s3://bucket/tables/t/";

describe("a logged path is decoded once into a key", () => {
  test("Spark's escaped partition directories come back as the directories it wrote", () => {
    // Spark writes the partition value A/A as directory x=A%2FA and logs that path URI-encoded again
    assert.deepEqual(addressOf("x=A%252FA/part-0.parquet", [tableRoot]), {
      root: 0,
      key: "x=A%2FA/part-0.parquet",
    });
    assert.deepEqual(addressOf("ts=2021-11-18%2002%253A30%253A00/p.parquet", [tableRoot]), {
      root: 0,
      key: "ts=2021-11-18 02%3A30%3A00/p.parquet",
    });
    assert.deepEqual(addressOf("s=h%C3%A9llo%20%E2%9C%93/p", [tableRoot]), { root: 0, key: "s=héllo ✓/p" });
    assert.deepEqual(addressOf("special%20p@%23h", [tableRoot]), { root: 0, key: "special p@#h" });
    // '+' is a plain character in a URI path, not a space
    assert.deepEqual(addressOf("_2=bar+%252521/p", [tableRoot]), { root: 0, key: "_2=bar+%2521/p" });
  });

  test("keys are not normalised: S3 keys with empty or dot segments stay distinct", () => {
    assert.equal(addressOf("a//b.parquet", [tableRoot]).key, "a//b.parquet");
    assert.equal(addressOf("a/./b.parquet", [tableRoot]).key, "a/./b.parquet");
    assert.equal(addressOf("a/b/", [tableRoot]).key, "a/b/");
  });

  test("paths that escape the table, are not URIs or decode to absolute paths are refused", () => {
    for (const path of [
      "../x.parquet",
      "a/../../x",
      "%2E%2E/x",
      "a/%2e%2e/%2e%2e/x",
      "%2Fetc%2Fpasswd",
      "%zz",
      "a%00b",
      "",
    ]) {
      assert.throws(() => addressOf(path, [tableRoot]), PathRefusedError, path);
    }
  });
});

describe("absolute logged paths", () => {
  const extra = "s3://bucket/source-table/";
  test("under the table root or an extra root they are served, in any spelling of the scheme", () => {
    assert.deepEqual(addressOf("s3://bucket/tables/t/x%20y/p.parquet", [tableRoot]), {
      root: 0,
      key: "x y/p.parquet",
    });
    assert.deepEqual(addressOf("s3a://bucket/tables/t/p.parquet", [tableRoot]), {
      root: 0,
      key: "p.parquet",
    });
    assert.deepEqual(addressOf("s3a://bucket/source-table/d=1/p.parquet", [tableRoot, extra]), {
      root: 1,
      key: "d=1/p.parquet",
    });
    const local = rootUri("/data/t");
    for (const path of ["/data/t/p.parquet", "file:/data/t/p.parquet", "file:///data/t/p.parquet"]) {
      assert.deepEqual(addressOf(path, [local]), { root: 0, key: "p.parquet" }, path);
    }
  });

  test("anywhere else, or escaping a root, they are refused", () => {
    for (const path of [
      "s3://bucket/tables/t2/p.parquet",
      "s3://bucket/source-table/p.parquet",
      "s3://other/tables/t/p.parquet",
      "s3://bucket/tables/t/../t2/p.parquet",
      "file:/some/unqualified/absolute/path",
      "/some/unqualified/absolute/path",
      "abfss://c@a.dfs.core.windows.net/t/p.parquet",
    ]) {
      assert.throws(() => addressOf(path, [tableRoot]), PathRefusedError, path);
    }
  });

  test("table locations become root URIs", () => {
    assert.equal(rootUri("s3a://b/p/"), "s3://b/p/");
    assert.equal(rootUri("s3://b"), "s3://b/");
    assert.equal(rootUri("file:///d/my%20t"), "file:/d/my t/");
    assert.equal(rootUri("/d/t/"), "file:/d/t/");
  });
});
