// The Service in front of the server's pods: the data port only. The ops port (metrics, detailed
// readiness, status) is reached on the pods themselves, by the kubelet, Prometheus and the operator.
import type { V1Service } from "@kubernetes/client-node";
import { serverDefaults } from "../api/deltaSharingServer.ts";
import type { DeltaSharingServer } from "../api/kinds.ts";
import { selectorLabels, serverLabels, serverWorkloadName } from "./names.ts";
import { ownedMetadata } from "./ownerReference.ts";

export const httpPortName = "http";
export const opsPortName = "ops";

export function renderService(server: DeltaSharingServer): V1Service {
  const service = server.spec.service;
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: ownedMetadata(
      server,
      serverWorkloadName(server),
      serverLabels(server.metadata.name),
      service?.annotations,
    ),
    spec: {
      type: service?.type ?? serverDefaults.serviceType,
      selector: selectorLabels(server.metadata.name),
      ...(service?.externalTrafficPolicy !== undefined
        ? { externalTrafficPolicy: service.externalTrafficPolicy }
        : {}),
      ports: [
        {
          name: httpPortName,
          port: service?.port ?? serverDefaults.servicePort,
          targetPort: httpPortName,
          protocol: "TCP",
        },
      ],
    },
  };
}
