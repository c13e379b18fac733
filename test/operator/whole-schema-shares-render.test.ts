// Whole-schema shares in the operator: a DeltaShare schema naming an S3 prefix becomes the server
// configuration's schema location (with its history and filter); an invalid prefix is left out and
// reported; what the pods found under it is shown in the share's status.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderShareConfig } from "../../operator/render/shareConfig.ts";
import { shareStatus } from "../../operator/render/shareStatus.ts";
import type { StatusDocument } from "../../server/ops/statusDocument.ts";
import { statusApiVersion } from "../../server/ops/statusDocument.ts";
import { share } from "./resources.ts";

const now = new Date("2025-03-01T12:00:00Z");

describe("whole-schema shares in the operator", () => {
  it("a schema location becomes the configuration's, with history and filter", () => {
    const rendered = renderShareConfig(
      share("lake", {
        serverRef: { name: "s" },
        schemas: [
          { name: "raw", location: "s3://bucket-a/raw", history: true, partitionFilter: "country = 'US'" },
        ],
      }),
    );
    assert.deepEqual(rendered.config.schemas, [
      {
        name: "raw",
        location: "s3://bucket-a/raw",
        historyShared: true,
        partitionFilter: "country = 'US'",
        tables: [],
      },
    ]);
    assert.deepEqual(rendered.problems, []);
  });

  it("an invalid prefix or filter is left out and reported", () => {
    const rendered = renderShareConfig(
      share("lake", {
        serverRef: { name: "s" },
        schemas: [
          { name: "bad", location: "s3://Bad_Bucket/raw" },
          { name: "typo", location: "s3://bucket-a/raw", partitionFilter: "country = = 'US'" },
        ],
      }),
    );
    assert.deepEqual(
      rendered.config.schemas.map((schema) => schema.location),
      [undefined, undefined],
    );
    assert.deepEqual(
      rendered.problems.map((problem) => problem.reason),
      ["InvalidLocation", "InvalidPartitionFilter"],
    );
    assert.match(
      rendered.problems[0]?.message ?? "",
      /schema bad: location s3:\/\/Bad_Bucket\/raw names 'Bad_Bucket'/,
    );
  });

  it("the tables a pod found are shown in the share's status", () => {
    const spec = { serverRef: { name: "s" }, schemas: [{ name: "raw", location: "s3://bucket-a/raw" }] };
    const rendered = renderShareConfig(share("lake", spec));
    const status: StatusDocument = {
      apiVersion: statusApiVersion,
      ready: true,
      config: { sha256: "0".repeat(64), loadedAt: now.toISOString(), shares: 1, recipients: 0 },
      storage: [],
      tables: [],
      discovered: [
        {
          share: "lake",
          schema: "raw",
          location: "s3://bucket-a/raw",
          tables: ["orders", "users"],
          checkedAt: now.toISOString(),
          error: null,
        },
        { share: "other", schema: "x", location: "s3://b/x", tables: ["t"], checkedAt: null, error: null },
      ],
    };
    const serving = {
      state: "served" as const,
      serverName: "s",
      loading: { loaded: true as const, pods: 1 },
      report: { pods: [{ name: "s-1", status }] },
    };
    const result = shareStatus(share("lake", spec), rendered, serving, now);
    assert.deepEqual(result.discovered, [
      { schema: "raw", location: "s3://bucket-a/raw", tables: ["orders", "users"] },
    ]);
  });
});
