// Partition filters in a DeltaShare: a filter that does not parse leaves its table out and says
// why; a filter the server's pods found unusable (a column that is not a partition column) makes
// the share not Ready, naming the table, the filter and the reason from the pod's status document.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderShareConfig } from "../../operator/render/shareConfig.ts";
import { shareStatus } from "../../operator/render/shareStatus.ts";
import type { FilterHealth, StatusDocument } from "../../server/ops/statusDocument.ts";
import { statusApiVersion } from "../../server/ops/statusDocument.ts";
import { share } from "./resources.ts";

const now = new Date("2025-03-01T12:00:00Z");
const spec = {
  serverRef: { name: "s" },
  schemas: [
    {
      name: "q",
      tables: [
        {
          name: "good",
          location: "s3://bucket-a/good",
          partitionFilter: "country = CURRENT_RECIPIENT('country')",
        },
        { name: "typo", location: "s3://bucket-a/typo", partitionFilter: "country = = 'US'" },
      ],
    },
  ],
};

function statusWith(filters: FilterHealth[]) {
  const rendered = renderShareConfig(share("sales", spec));
  const status: StatusDocument = {
    apiVersion: statusApiVersion,
    ready: true,
    config: { sha256: "0".repeat(64), loadedAt: now.toISOString(), shares: 1, recipients: 0 },
    storage: [],
    tables: [
      {
        share: "sales",
        schema: "q",
        table: "good",
        location: "s3://bucket-a/good",
        state: "ok",
        version: 3,
        message: null,
        checkedAt: now.toISOString(),
      },
    ],
    filters,
  };
  const serving = {
    state: "served" as const,
    serverName: "s",
    loading: { loaded: true as const, pods: 1 },
    report: { pods: [{ name: "s-1", status }] },
  };
  return shareStatus(share("sales", spec), rendered, serving, now);
}

const filter = (ok: boolean, message: string | null): FilterHealth => ({
  share: "sales",
  schema: "q",
  table: "good",
  filter: "country = CURRENT_RECIPIENT('country')",
  ok,
  message,
  checkedAt: now.toISOString(),
});

describe("partition filters in share status", () => {
  it("a filter that does not parse leaves its table out, with the parser's reason", () => {
    const rendered = renderShareConfig(share("sales", spec));
    assert.deepEqual(
      rendered.config.schemas[0]?.tables.map((t) => [t.name, t.partitionFilter]),
      [["good", "country = CURRENT_RECIPIENT('country')"]],
    );
    assert.equal(rendered.problems[0]?.reason, "InvalidPartitionFilter");
    assert.match(
      rendered.problems[0]?.message ?? "",
      /table q\.typo: partitionFilter is not a partition filter: expected a value/,
    );
  });

  it("a filter a pod reports unusable makes the share not Ready, naming table, filter and reason", () => {
    const status = statusWith([
      filter(false, "the filter names column 'amount', which is not a partition column"),
    ]);
    const condition = status.conditions?.find((each) => each.type === "PartitionFiltersApply");
    assert.equal(condition?.status, "False");
    assert.equal(condition?.reason, "PartitionFilterUnusable");
    assert.match(
      condition?.message ?? "",
      /table q\.good: partition filter \(country = CURRENT_RECIPIENT\('country'\)\) serves nothing: .*'amount'/,
    );
    assert.notEqual(status.conditions?.find((each) => each.type === "Ready")?.status, "True");
  });

  it("a usable filter is said to apply; one not yet checked is pending", () => {
    const applied = statusWith([filter(true, null)]).conditions?.find(
      (each) => each.type === "PartitionFiltersApply",
    );
    assert.equal(applied?.status, "True");
    const pending = statusWith([]).conditions?.find((each) => each.type === "PartitionFiltersApply");
    assert.equal(pending?.status, "Unknown");
  });
});
