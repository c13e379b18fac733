// The optional Ingress of a server: one host, one path, the Delta Sharing API's endpointPath (as a
// Prefix), to the Service's http port. Nothing else of the pod is routed: not the ops port, and
// no other path on the data port. Undefined when the spec asks for none.
import type { V1Ingress } from "@kubernetes/client-node";
import { serverDefaults } from "../api/deltaSharingServer.ts";
import type { DeltaSharingServer } from "../api/kinds.ts";
import { serverLabels, serverWorkloadName } from "./names.ts";
import { ownedMetadata } from "./ownerReference.ts";
import { httpPortName } from "./service.ts";

export function renderIngress(server: DeltaSharingServer): V1Ingress | undefined {
  const ingress = server.spec.ingress;
  if (ingress === undefined) return undefined;
  const name = serverWorkloadName(server);
  const path = (server.spec.endpointPath ?? serverDefaults.endpointPath).replace(/\/+$/, "") || "/";
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: ownedMetadata(server, name, serverLabels(server.metadata.name), ingress.annotations),
    spec: {
      ...(ingress.className !== undefined ? { ingressClassName: ingress.className } : {}),
      ...(ingress.tlsSecretName !== undefined
        ? { tls: [{ hosts: [ingress.host], secretName: ingress.tlsSecretName }] }
        : {}),
      rules: [
        {
          host: ingress.host,
          http: {
            paths: [
              { path, pathType: "Prefix", backend: { service: { name, port: { name: httpPortName } } } },
            ],
          },
        },
      ],
    },
  };
}
