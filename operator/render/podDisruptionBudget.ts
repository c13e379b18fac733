// The optional PodDisruptionBudget of a server's pods; undefined when the spec asks for none.
import type { V1PodDisruptionBudget } from "@kubernetes/client-node";
import type { DeltaSharingServer } from "../api/kinds.ts";
import { selectorLabels, serverLabels, serverWorkloadName } from "./names.ts";
import { ownedMetadata } from "./ownerReference.ts";

export function renderPodDisruptionBudget(server: DeltaSharingServer): V1PodDisruptionBudget | undefined {
  const budget = server.spec.podDisruptionBudget;
  if (budget === undefined) return undefined;
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: ownedMetadata(server, serverWorkloadName(server), serverLabels(server.metadata.name)),
    spec: {
      selector: { matchLabels: selectorLabels(server.metadata.name) },
      ...(budget.minAvailable !== undefined ? { minAvailable: budget.minAvailable } : {}),
      ...(budget.maxUnavailable !== undefined ? { maxUnavailable: budget.maxUnavailable } : {}),
    },
  };
}
