// Whether a server's pods serve the written configuration, judged from the Deployment and what each
// ready pod reported on its ops port.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import type { V1Deployment } from "@kubernetes/client-node";
import { everyPodServes, judgeLoading, writtenConfigSha256 } from "../../operator/render/configLoading.ts";
import type { PodReport } from "../../operator/serving/servingTracker.ts";
import { type StatusDocument, statusApiVersion } from "../../server/ops/statusDocument.ts";
import { server } from "./resources.ts";

const configText = '{"version":1}\n';
const secret = { data: { "config.yaml": Buffer.from(configText).toString("base64") } };
const written = writtenConfigSha256(secret) as string;
const earlier = "e".repeat(64);

const available: V1Deployment = {
  spec: { replicas: 2, selector: {}, template: {} },
  status: { availableReplicas: 2, conditions: [{ type: "Available", status: "True" }] },
};

function pod(name: string, sha256: string): PodReport {
  const status: StatusDocument = {
    apiVersion: statusApiVersion,
    ready: true,
    config: { sha256, loadedAt: "2025-03-01T12:00:00Z", shares: 1, recipients: 1 },
    storage: [],
    tables: [],
  };
  return { name, status };
}

describe("a configuration is loaded", () => {
  it("is the SHA-256 of the config file's bytes as the Secret holds them", () => {
    assert.equal(written, createHash("sha256").update(configText).digest("hex"));
    assert.equal(writtenConfigSha256(undefined), undefined);
  });

  it("only when the Deployment is Available and every ready pod reports that hash", () => {
    const s = server("s");
    assert.deepEqual(
      judgeLoading(s, available, { pods: [pod("s-1", written), pod("s-2", written)] }, written),
      {
        loaded: true,
        pods: 2,
      },
    );
    const behind = judgeLoading(s, available, { pods: [pod("s-1", written), pod("s-2", earlier)] }, written);
    assert.equal(behind.loaded, false);
    assert.match(
      !behind.loaded ? behind.message : "",
      /^1 of 2 ready pods of server s still serve an earlier configuration \(.*kubelet/,
    );
    const silent = judgeLoading(
      s,
      available,
      { pods: [{ name: "s-1", status: { error: "connect ECONNREFUSED" } }] },
      written,
    );
    assert.match(
      !silent.loaded ? silent.message : "",
      /pod s-1 did not report its status: connect ECONNREFUSED/,
    );
    assert.match(
      (judgeLoading(s, available, { pods: [] }, written) as { message: string }).message,
      /server s has no ready pod/,
    );
    assert.match(
      (judgeLoading(s, undefined, { pods: [pod("s-1", written)] }, written) as { message: string }).message,
      /server s is not available: waiting for the Deployment's first status/,
    );
    assert.equal(judgeLoading(s, available, undefined, written).loaded, false);
  });

  it("what left the configuration is refused once no ready pod serves an earlier one", () => {
    assert.equal(everyPodServes({ pods: [pod("s-1", written), pod("s-2", earlier)] }, written), false);
    assert.equal(everyPodServes({ pods: [pod("s-1", written)] }, written), true);
    assert.equal(everyPodServes({ pods: [] }, written), true, "no pod serves anything");
    assert.equal(everyPodServes(undefined, written), false, "not asked yet");
  });
});
