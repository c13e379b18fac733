// The session policy, checked on paper: moto's S3 does not apply session policies, so IAM's
// documented evaluation (iamEvaluation.ts) decides here that the credentials read objects only
// under the table's prefix and list only below it, whatever characters the prefix holds.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseS3Location } from "../../../server/storage/s3Location.ts";
import {
  iamLiteral,
  partitionOf,
  sessionPolicy,
  sessionPolicyMaxLength,
  sessionPolicyText,
} from "../../../server/storage/sessionPolicy.ts";
import { isAllowed, type Policy, patternOf } from "./iamEvaluation.ts";

const table = { bucket: "tables", prefix: "sales/orders" };
const policy = sessionPolicy(table, "aws") as Policy;
const get = (bucket: string, key: string) => ({
  action: "s3:GetObject",
  resource: `arn:aws:s3:::${bucket}/${key}`,
});
const list = (bucket: string, prefix?: string) => ({
  action: "s3:ListBucket",
  resource: `arn:aws:s3:::${bucket}`,
  ...(prefix === undefined ? {} : { context: { "s3:prefix": prefix } }),
});

// keys made of the characters that matter: separators, wildcards, variable syntax, letters
const keyChar = fc.constantFrom("a", "b", "/", "*", "?", "$", "{", "}", ".", "-", " ", "é");
const keyText = fc.array(keyChar, { maxLength: 12 }).map((chars) => chars.join(""));
const prefixText = fc
  .array(
    keyText.filter((segment) => segment.length > 0 && !segment.includes("/")),
    { minLength: 1, maxLength: 3 },
  )
  .map((segments) => segments.join("/"));

describe("the session policy under IAM's evaluation rules", () => {
  it("reads the table's objects and lists below its prefix, with the evaluation itself checked", () => {
    assert.ok(isAllowed(policy, get("tables", "sales/orders/_delta_log/00000000000000000000.json")));
    assert.ok(isAllowed(policy, get("tables", "sales/orders/part-0.parquet")));
    assert.ok(isAllowed(policy, list("tables", "sales/orders/")));
    assert.ok(isAllowed(policy, list("tables", "sales/orders/_delta_log/")));
    assert.ok(isAllowed({ ...policy, Statement: [] }, get("tables", "x")) === false);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: IAM's policy variable, not a template
    assert.ok(patternOf("a${*}b").test("a*b") && !patternOf("a${*}b").test("axb"));
    assert.ok(patternOf("s3:get*", "i").test("s3:GetObject"));
  });

  it("refuses the bucket's other keys, a sibling that shares the prefix's text, other buckets and other actions", () => {
    for (const key of [
      "sales/orders",
      "sales/orders2/x",
      "sales/ordersx",
      "sales/other/x",
      "x",
      "Sales/orders/x",
    ]) {
      assert.equal(isAllowed(policy, get("tables", key)), false, key);
    }
    assert.equal(isAllowed(policy, get("other", "sales/orders/x")), false);
    for (const prefix of [undefined, "", "sales/", "sales/orders", "sales/orders2/", "sales/o"]) {
      assert.equal(isAllowed(policy, list("tables", prefix)), false, String(prefix));
    }
    assert.equal(isAllowed(policy, list("other", "sales/orders/")), false);
    for (const action of [
      "s3:PutObject",
      "s3:DeleteObject",
      "s3:GetObjectAcl",
      "s3:ListBucketVersions",
      "s3:GetObjectVersion",
    ]) {
      assert.equal(
        isAllowed(policy, { action, resource: "arn:aws:s3:::tables/sales/orders/x" }),
        false,
        action,
      );
    }
  });

  it("allows exactly the keys under the prefix, for any prefix and key (wildcard characters included)", () => {
    fc.assert(
      fc.property(prefixText, keyText, (prefix, key) => {
        const narrowed = sessionPolicy({ bucket: "b", prefix }, "aws") as Policy;
        const under = key.startsWith(`${prefix}/`);
        assert.equal(isAllowed(narrowed, get("b", key)), under, `get ${key} with prefix ${prefix}`);
        assert.equal(isAllowed(narrowed, list("b", key)), under, `list ${key} with prefix ${prefix}`);
      }),
      { numRuns: 2000 },
    );
  });

  it("writes wildcard and variable characters of a key as IAM literals, and names the role's partition", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: IAM's policy variables, not a template
    assert.equal(iamLiteral("a*b?c$d"), "a${*}b${?}c${$}d");
    assert.equal(partitionOf("arn:aws-cn:iam::123456789012:role/reader"), "aws-cn");
    const china = sessionPolicy({ bucket: "b", prefix: "p" }, "aws-cn");
    assert.deepEqual(
      china.Statement.map((statement) => statement.Resource),
      ["arn:aws-cn:s3:::b/p/*", "arn:aws-cn:s3:::b"],
    );
  });

  it("fits in what STS accepts for ordinary locations, and the location parses as the server serves it", () => {
    const location = parseS3Location("s3a://tables/sales/orders/");
    assert.deepEqual(location, table);
    assert.ok(sessionPolicyText(table, "aws").length < sessionPolicyMaxLength);
  });
});
