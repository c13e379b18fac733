// The corpus test's judge fails what it must fail: wrong rows, a 5xx, a 200 where delta-spark
// refuses, a 404 on a table not named for it, a client failure not named or not shown right.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { RawAnswer } from "./rawAnswers.ts";
import { judge, type ReadToJudge } from "./verdicts.ts";

const rows = [{ id: 1, name: "a" }];
const read = { count: 1, digest: "d1", rows };
const served: RawAnswer = {
  status: 200,
  version: 3,
  files: [{ url: "u", status: 206, numRecords: 1, deleted: 0 }],
};

function reading(overrides: Partial<ReadToJudge>): ReadToJudge {
  return {
    table: "some-table",
    truth: { read, version: 3 },
    raw: served,
    client: { ...read, columns: ["id", "name"] },
    declaredFeatures: ["deletionvectors"],
    tableFeatures: [],
    ...overrides,
  };
}

test("equal rows are equal; an integral float equals its integer", () => {
  assert.equal(judge(reading({})).kind, "equal");
  const floats = { count: 1, digest: "other", rows: [{ id: 1.0, name: "a" }], columns: [] };
  assert.equal(judge(reading({ client: floats })).kind, "equal");
});

test("different rows, another version or a digest that differs fail", () => {
  const wrong = { count: 1, digest: "d2", rows: [{ id: 2, name: "a" }], columns: [] };
  assert.equal(judge(reading({ client: wrong })).kind, "failure");
  assert.equal(judge(reading({ raw: { ...served, version: 2 } })).kind, "failure");
  const big = { count: 20_000, digest: "x" };
  const bigClient = { count: 20_000, digest: "y", columns: [] };
  assert.equal(judge(reading({ truth: { read: big }, client: bigClient })).kind, "failure");
  assert.equal(judge(reading({ truth: { read: big }, client: { ...bigClient, digest: "x" } })).kind, "equal");
});

test("a 5xx fails, even where delta-spark refuses the table", () => {
  const internal: RawAnswer = {
    status: 500,
    error: { errorCode: "INTERNAL_ERROR", message: "x", text: "" },
    files: [],
  };
  assert.equal(judge(reading({ raw: internal })).kind, "failure");
  assert.equal(judge(reading({ raw: internal, truth: { refused: "no" } })).kind, "failure");
});

test("where delta-spark refuses: a 4xx JSON error passes, a 200 or a bare 4xx fails", () => {
  const refused = { refused: "DELTA_STATE_RECOVER_ERROR" };
  const error: RawAnswer = {
    status: 400,
    error: { errorCode: "INVALID_TABLE_STATE", message: "m", text: "" },
    files: [],
  };
  assert.equal(judge(reading({ truth: refused, raw: error })).kind, "refused-as-spark");
  assert.equal(judge(reading({ truth: refused })).kind, "failure");
  const bare: RawAnswer = { status: 400, error: { text: "bad" }, files: [] };
  assert.equal(judge(reading({ truth: refused, raw: bare })).kind, "failure");
});

test("a file URL that answers 404 passes only for a table named as missing data files", () => {
  const gone: RawAnswer = { ...served, files: [{ url: "u", status: 404, deleted: 0 }] };
  assert.equal(judge(reading({ raw: gone, client: { error: "FileNotFoundError" } })).kind, "failure");
  const named = reading({ table: "update-deleted-directory", truth: { refused: "no columns" }, raw: gone });
  assert.equal(judge(named).kind, "expected-404");
});

test("a 4xx passes for a readable table only when it names a feature the client did not declare", () => {
  const error = (message: string): RawAnswer => ({
    status: 400,
    error: { errorCode: "UNSUPPORTED_OPERATION", message, text: "" },
    files: [],
  });
  const features = { tableFeatures: ["typeWidening-preview", "deletionVectors"] };
  const named = reading({ ...features, raw: error("needs typeWidening-preview") });
  assert.equal(judge(named).kind, "feature-not-declared");
  assert.equal(judge(reading({ ...features, raw: error("needs deletionVectors") })).kind, "failure");
  assert.equal(judge(reading({ ...features, raw: error("something else") })).kind, "failure");
});

test("a client failure on an unnamed table fails", () => {
  assert.equal(judge(reading({ client: { error: "ValueError: nope" } })).kind, "failure");
});
