// Issue 13, the operator's side of the ops port on a real API server: the server's Service carries
// the data port only, its pods declare both ports with probes on `ops`, and a PodMonitor scrapes
// `ops` once spec.monitoring asks for one (and is deleted when the spec drops it); without the
// Prometheus Operator's CRD the server is served all the same and a Warning event says why no
// PodMonitor was written.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { V1Deployment, V1Service } from "@kubernetes/client-node";
import { apiVersion } from "../../operator/api/group.ts";
import type { KubeObject } from "../../operator/kube/objects.ts";
import { objectPath, resourceTypes } from "../../operator/kube/resourceTypes.ts";
import type { PodMonitor } from "../../operator/render/podMonitor.ts";
import { waitUntil } from "../ground/wait.ts";
import { type Cluster, type RunningOperator, startCluster, startOperator } from "./cluster.ts";
import { waitForCondition } from "./resources.ts";

let cluster: Cluster;
let operator: RunningOperator;

const sharingServer = (labels: Record<string, string>) =>
  ({
    apiVersion,
    kind: "DeltaSharingServer",
    metadata: { name: "sharing", labels },
    spec: { replicas: 1, opsPort: 9191, monitoring: { podMonitor: { interval: "30s" } } },
  }) as KubeObject;

/** The Prometheus Operator's PodMonitor kind, as loosely as the test needs it. */
const podMonitorCrd = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "podmonitors.monitoring.coreos.com" },
  spec: {
    group: "monitoring.coreos.com",
    scope: "Namespaced",
    names: { plural: "podmonitors", singular: "podmonitor", kind: "PodMonitor", listKind: "PodMonitorList" },
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
      },
    ],
  },
};

describe("the ops port in the cluster: probes and a PodMonitor, never the Service", () => {
  before(async () => {
    cluster = await startCluster();
    operator = await startOperator(cluster.kube);
  });

  after(async () => {
    await operator?.stop();
    await cluster?.stop();
  });

  it("without the PodMonitor kind: the server is rendered all the same, and a Warning says why", async () => {
    await cluster.apply(sharingServer({}));
    await waitForCondition(cluster, resourceTypes.server, "sharing", {
      type: "ConfigRendered",
      status: "True",
    });
    const service = await cluster.get<V1Service>(resourceTypes.service, "sharing");
    assert.deepEqual(
      service?.spec?.ports?.map((port) => [port.name, port.targetPort]),
      [["http", "http"]],
    );
    const deployment = await cluster.get<V1Deployment>(resourceTypes.deployment, "sharing");
    const container = deployment?.spec?.template.spec?.containers[0];
    assert.deepEqual(
      container?.ports?.map((port) => [port.name, port.containerPort]),
      [
        ["http", 8080],
        ["ops", 9191],
      ],
    );
    assert.deepEqual(
      [container?.livenessProbe?.httpGet, container?.readinessProbe?.httpGet].map((get) => [
        get?.path,
        get?.port,
      ]),
      [
        ["/livez", "ops"],
        ["/readyz", "ops"],
      ],
    );
    await waitUntil(
      async () => {
        const events = await cluster.client.list<{ reason: string; involvedObject: { name: string } }>(
          "/api/v1/namespaces/default/events",
        );
        return events.items.some((event) => event.reason === "PodMonitorFailed");
      },
      { timeoutMs: 20_000, what: "a PodMonitorFailed event" },
    );
  });

  it("with the PodMonitor kind installed: a PodMonitor scraping the pods' ops port", async () => {
    const path = objectPath(resourceTypes.customResourceDefinition, undefined, podMonitorCrd.metadata.name);
    await cluster.client.apply(path, podMonitorCrd, { fieldManager: "e2e-installer" });
    await waitUntil(
      async () => {
        const crd = await cluster.client.get<{
          status?: { conditions?: { type: string; status: string }[] };
        }>(path);
        return crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") === true;
      },
      { timeoutMs: 30_000, what: "the PodMonitor CRD to be established" },
    );
    // a spec change, so the operator reconciles the server again
    await cluster.apply(sharingServer({ touched: "yes" }));
    let monitor: PodMonitor | undefined;
    await waitUntil(
      async () => {
        monitor = await cluster.get<PodMonitor>(resourceTypes.podMonitor, "sharing");
        return monitor !== undefined;
      },
      { timeoutMs: 30_000, what: "the PodMonitor" },
    );
    assert.deepEqual(monitor?.spec.podMetricsEndpoints, [{ port: "ops", path: "/metrics", interval: "30s" }]);
    const deployment = await cluster.get<V1Deployment>(resourceTypes.deployment, "sharing");
    assert.deepEqual(monitor?.spec.selector.matchLabels, deployment?.spec?.selector.matchLabels);
  });

  it("a spec that drops spec.monitoring has its PodMonitor deleted", async () => {
    const { monitoring: _dropped, ...spec } = (
      sharingServer({}) as KubeObject & { spec: Record<string, unknown> }
    ).spec;
    await cluster.apply({ ...sharingServer({ touched: "again" }), spec } as KubeObject);
    await waitUntil(async () => (await cluster.get(resourceTypes.podMonitor, "sharing")) === undefined, {
      timeoutMs: 30_000,
      what: "the PodMonitor to be deleted",
    });
  });
});
