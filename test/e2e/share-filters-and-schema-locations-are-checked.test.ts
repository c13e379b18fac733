// A DeltaShare's partition filters and whole-schema locations against a real API server: the CRD's
// pattern refuses text that is not shaped like a filter (no comparison, statement separators,
// double quotes) and filters in the language are accepted (what a pattern cannot parse the
// operator reports: share-filters-are-reported); a schema needs tables or an S3 location.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { apiVersion } from "../../operator/api/group.ts";
import { KubeApiError } from "../../operator/kube/client.ts";
import type { KubeObject } from "../../operator/kube/objects.ts";
import { type Cluster, startCluster } from "./cluster.ts";

let cluster: Cluster;

const shareWith = (name: string, partitionFilter: string) =>
  ({
    apiVersion,
    kind: "DeltaShare",
    metadata: { name },
    spec: {
      serverRef: { name: "s" },
      schemas: [{ name: "main", tables: [{ name: "t", location: "s3://bucket/t", partitionFilter }] }],
    },
  }) as KubeObject;

before(async () => {
  cluster = await startCluster();
});

after(async () => {
  await cluster?.stop();
});

describe("the API server checks a partition filter's shape", () => {
  it("refuses text that is not a filter", async () => {
    const refused = [
      "country",
      "country = 'US'; DROP TABLE x",
      'country = "US"',
      "= 'US'",
      "just some words",
    ];
    for (const [index, text] of refused.entries()) {
      await assert.rejects(cluster.apply(shareWith(`bad-${index}`, text)), (error: unknown) => {
        assert.ok(error instanceof KubeApiError, String(error));
        assert.equal(error.status, 422, text);
        assert.match(error.message, /partitionFilter: Invalid value: .*should match/, text);
        return true;
      });
    }
  });

  it("accepts filters in the language", async () => {
    const accepted = [
      "country = CURRENT_RECIPIENT('country')",
      "country IN ('US', 'FR') AND year >= 2020",
      "(region LIKE 'eu-%' OR region IS NULL)",
      "`weird col` IS NOT NULL",
      "day<'2024-01-01'",
    ];
    for (const [index, text] of accepted.entries()) await cluster.apply(shareWith(`good-${index}`, text));
  });
});

describe("the API server checks a whole-schema share's schema", () => {
  const shareOf = (name: string, schema: Record<string, unknown>) =>
    ({
      apiVersion,
      kind: "DeltaShare",
      metadata: { name },
      spec: { serverRef: { name: "s" }, schemas: [{ name: "main", ...schema }] },
    }) as KubeObject;

  it("accepts a schema with a location and no tables, with history and a filter", async () => {
    await cluster.apply(
      shareOf("lake", { location: "s3://bucket/lake/", history: true, partitionFilter: "country = 'US'" }),
    );
  });

  it("refuses a schema with neither tables nor a location, and a location outside S3", async () => {
    await assert.rejects(cluster.apply(shareOf("empty", {})), /a schema needs tables or a location/);
    await assert.rejects(cluster.apply(shareOf("local", { location: "/data/lake" })), /location/);
  });
});
