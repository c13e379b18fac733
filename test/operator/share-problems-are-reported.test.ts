import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { selectServedShares } from "../../operator/render/servedShares.ts";
import { locationProblem, type RenderedShare, renderShareConfig } from "../../operator/render/shareConfig.ts";
import { type ShareServing, shareStatus } from "../../operator/render/shareStatus.ts";
import type { StatusDocument, TableHealth, TableState } from "../../operator/serving/opsStatus.ts";
import { statusApiVersion } from "../../server/ops/statusDocument.ts";
import { server, share } from "./resources.ts";

const now = new Date("2025-03-01T12:00:00Z");
const table = (name: string, location = `s3://bucket-a/${name}`) => ({ name, location });

/** Served by server s, whose one ready pod loaded the configuration and found each table in `state`. */
function servedBy(rendered: RenderedShare, state: TableState, pods = ["s-1"]): ShareServing {
  const tables: TableHealth[] = rendered.config.schemas.flatMap((schema) =>
    schema.tables.map((each) => ({
      share: rendered.name,
      schema: schema.name,
      table: each.name,
      location: each.location,
      state: each.name === "good" ? "ok" : state,
      version: null,
      message: null,
      checkedAt: null,
    })),
  );
  const config = { sha256: "0".repeat(64), loadedAt: now.toISOString(), shares: 1, recipients: 0 };
  const status: StatusDocument = { apiVersion: statusApiVersion, ready: true, config, storage: [], tables };
  return {
    state: "served",
    serverName: "s",
    loading: { loaded: true, pods: pods.length },
    report: { pods: pods.map((name) => ({ name, status })) },
  };
}

describe("share problems the CRD schema cannot refuse", () => {
  it("invalid bucket names and path segments are refused by location", () => {
    assert.equal(locationProblem("s3://delta-sharing-sample/bikes/trips"), undefined);
    assert.equal(locationProblem("s3a://my.bucket"), undefined);
    assert.match(locationProblem("s3://Not_A_Bucket/x") ?? "", /not a valid S3 bucket name/);
    assert.match(locationProblem("s3://ab/x") ?? "", /not a valid S3 bucket name/);
    assert.match(locationProblem("s3://10.0.0.1/x") ?? "", /not a valid S3 bucket name/);
    assert.match(locationProblem("s3://bucket/a/../b") ?? "", /'\.\.'/);
    assert.match(locationProblem("/data/table") ?? "", /not an s3/);
  });

  it("a table with an invalid location is left out, the rest of the share is served, and status says why", () => {
    const spec = {
      serverRef: { name: "s" },
      schemas: [{ name: "q", tables: [table("good"), table("bad", "s3://Bad_Bucket/t")] }],
    };
    const rendered = renderShareConfig(share("sales", spec));
    assert.deepEqual(
      rendered.config.schemas[0]?.tables.map((t) => t.name),
      ["good"],
    );
    assert.equal(rendered.tables, 1);
    const status = shareStatus(share("sales", spec), rendered, servedBy(rendered, "ok"), now);
    const ready = status.conditions?.find((condition) => condition.type === "Ready");
    assert.equal(ready?.status, "False");
    assert.equal(ready?.reason, "InvalidLocation");
    assert.match(ready?.message ?? "", /table q\.bad: location s3:\/\/Bad_Bucket\/t names 'Bad_Bucket'/);
    assert.equal(status.conditions?.find((condition) => condition.type === "Served")?.status, "True");
  });

  it("extraRoots are served beside the location, and an invalid one leaves its table out", () => {
    const clone = { ...table("clone"), extraRoots: ["s3://source-bucket/tables/orders"] };
    const broken = { ...table("broken"), extraRoots: ["s3://Source_Bucket/x"] };
    const spec = { serverRef: { name: "s" }, schemas: [{ name: "q", tables: [clone, broken] }] };
    const rendered = renderShareConfig(share("sales", spec));
    assert.deepEqual(
      rendered.config.schemas[0]?.tables.map((t) => [t.name, t.extraRoots]),
      [["clone", ["s3://source-bucket/tables/orders"]]],
    );
    assert.match(
      rendered.problems.map((problem) => problem.message).join("\n"),
      /table q\.broken: location s3:\/\/Source_Bucket\/x names 'Source_Bucket'/,
    );
  });

  it("names repeated ignoring case keep the first, and are reported", () => {
    const rendered = renderShareConfig(
      share("sales", {
        serverRef: { name: "s" },
        schemas: [
          { name: "Q", tables: [table("t"), table("T")] },
          { name: "q", tables: [table("u")] },
        ],
      }),
    );
    assert.deepEqual(
      rendered.config.schemas.map((schema) => [schema.name, schema.tables.map((t) => t.name)]),
      [["Q", ["t"]]],
    );
    assert.deepEqual(
      rendered.problems.map((problem) => problem.reason),
      ["DuplicateName", "DuplicateName"],
    );
  });

  it("two DeltaShares claiming one share name: the older serves it, the other is reported", () => {
    const spec = {
      serverRef: { name: "s" },
      shareName: "Sales",
      schemas: [{ name: "q", tables: [table("t")] }],
    };
    const newer = share("sales-b", spec, "2025-02-01T00:00:00Z");
    const older = share("sales-a", { ...spec, shareName: "sales" }, "2025-01-01T00:00:00Z");
    const { served, conflicts } = selectServedShares(server("s"), [newer, older]);
    assert.deepEqual(
      served.map(({ share: each }) => each.metadata.name),
      ["sales-a"],
    );
    assert.deepEqual([...conflicts], [["team/sales-b", "sales-a"]]);
    const status = shareStatus(
      newer,
      renderShareConfig(newer),
      { state: "nameTaken", holder: "sales-a" },
      now,
    );
    assert.equal(status.conditions?.[0]?.reason, "ShareNameConflict");
  });

  it("a share whose server does not exist is not ready, with reason ServerNotFound", () => {
    const orphan = share("x", {
      serverRef: { name: "nope" },
      schemas: [{ name: "q", tables: [table("t")] }],
    });
    const status = shareStatus(
      orphan,
      renderShareConfig(orphan),
      { state: "serverMissing", serverName: "nope" },
      now,
    );
    assert.deepEqual(
      status.conditions?.map((condition) => [condition.type, condition.status, condition.reason]),
      [
        ["Ready", "False", "ServerNotFound"],
        ["Valid", "True", "Valid"],
        ["Served", "False", "ServerNotFound"],
        ["Loaded", "Unknown", "ServerNotFound"],
        ["TablesFound", "Unknown", "ServerNotFound"],
      ],
    );
    assert.equal(status.observedGeneration, 1);
  });

  it("shares of other servers or namespaces, or being deleted, are not served", () => {
    const spec = { serverRef: { name: "s" }, schemas: [{ name: "q", tables: [table("t")] }] };
    const other = share("other", { ...spec, serverRef: { name: "t" } });
    const elsewhere = {
      ...share("elsewhere", spec),
      metadata: { ...share("e", spec).metadata, name: "elsewhere", namespace: "x" },
    };
    const deleting = { ...share("deleting", spec) };
    deleting.metadata = { ...deleting.metadata, deletionTimestamp: "2025-03-01T00:00:00Z" };
    assert.deepEqual(selectServedShares(server("s"), [other, elsewhere, deleting]).served, []);
  });

  it("a table the server's pods cannot find makes the share not Ready, naming the table and its location", () => {
    const spec = {
      serverRef: { name: "s" },
      schemas: [{ name: "q", tables: [table("good"), table("typo", "s3://bucket-a/does-not-exist")] }],
    };
    const rendered = renderShareConfig(share("sales", spec));
    const conditions = (serving: ShareServing) =>
      shareStatus(share("sales", spec), rendered, serving, now).conditions?.map((condition) => [
        condition.type,
        condition.status,
        condition.reason,
      ]);
    const missing = shareStatus(share("sales", spec), rendered, servedBy(rendered, "notFound"), now);
    const ready = missing.conditions?.[0];
    assert.deepEqual([ready?.status, ready?.reason], ["False", "TableNotFound"]);
    assert.equal(ready?.message, "table sales.q.typo was not found at s3://bucket-a/does-not-exist");
    assert.deepEqual(conditions(servedBy(rendered, "pending"))?.[0], ["Ready", "Unknown", "TablesPending"]);
    assert.deepEqual(conditions(servedBy(rendered, "unreadable"))?.[0], [
      "Ready",
      "False",
      "TableUnreadable",
    ]);
    assert.deepEqual(conditions(servedBy(rendered, "ok")), [
      ["Ready", "True", "Served"],
      ["Valid", "True", "Valid"],
      ["Served", "True", "InServerConfig"],
      ["Loaded", "True", "ConfigLoaded"],
      ["TablesFound", "True", "TablesFound"],
    ]);
    // while the pods have not loaded the configuration, its tables are not judged
    const waiting: ShareServing = {
      state: "served",
      serverName: "s",
      loading: { loaded: false, message: "server s has no ready pod" },
      report: { pods: [] },
    };
    assert.deepEqual(conditions(waiting)?.slice(3), [
      ["Loaded", "Unknown", "WaitingForPods"],
      ["TablesFound", "Unknown", "WaitingForPods"],
    ]);
    assert.deepEqual(conditions({ state: "serverMissing", serverName: "s" })?.slice(2), [
      ["Served", "False", "ServerNotFound"],
      ["Loaded", "Unknown", "ServerNotFound"],
      ["TablesFound", "Unknown", "ServerNotFound"],
    ]);
  });
});
