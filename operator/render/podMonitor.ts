// The server's PodMonitor (Prometheus Operator), when spec.monitoring.podMonitor asks for one: it
// scrapes /metrics on each pod's ops port, which no Service exposes.
import type { DeltaSharingServer } from "../api/kinds.ts";
import { selectorLabels, serverLabels, serverWorkloadName } from "./names.ts";
import { ownedMetadata } from "./ownerReference.ts";
import { opsPortName } from "./service.ts";

export interface PodMonitor {
  apiVersion: "monitoring.coreos.com/v1";
  kind: "PodMonitor";
  metadata: ReturnType<typeof ownedMetadata>;
  spec: {
    selector: { matchLabels: Record<string, string> };
    podMetricsEndpoints: { port: string; path: string; interval?: string }[];
  };
}

export function renderPodMonitor(server: DeltaSharingServer): PodMonitor | undefined {
  const wanted = server.spec.monitoring?.podMonitor;
  if (wanted === undefined) return undefined;
  const name = server.metadata.name;
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: ownedMetadata(server, serverWorkloadName(server), { ...wanted.labels, ...serverLabels(name) }),
    spec: {
      selector: { matchLabels: selectorLabels(name) },
      podMetricsEndpoints: [
        {
          port: opsPortName,
          path: "/metrics",
          ...(wanted.interval !== undefined ? { interval: wanted.interval } : {}),
        },
      ],
    },
  };
}
