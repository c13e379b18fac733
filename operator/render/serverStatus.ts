// A DeltaSharingServer's status: its configuration written, its pods available and serving it, and
// Ready when all three hold. Whether its profiles name an address outside the cluster is said
// beside Ready, not in it: an in-cluster server is a valid choice, but one to be told about.
import type { V1Deployment } from "@kubernetes/client-node";
import type { DeltaSharingServerStatus } from "../api/deltaSharingServer.ts";
import type { DeltaSharingServer } from "../api/kinds.ts";
import { type ConditionInput, nextConditions, notYetJudged, readyFrom } from "./conditions.ts";
import { type Loading, loadedCondition } from "./configLoading.ts";

export type ConfigOutcome =
  | { ok: true; shares: number; recipients: number; configSecretName: string }
  | { ok: false; reason: string; message: string };

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

function configCondition(outcome: ConfigOutcome): ConditionInput {
  if (!outcome.ok)
    return { type: "ConfigRendered", status: "False", reason: outcome.reason, message: outcome.message };
  return {
    type: "ConfigRendered",
    status: "True",
    reason: "ConfigWritten",
    message: `Secret ${outcome.configSecretName} serves ${plural(outcome.shares, "share")} to ${plural(outcome.recipients, "recipient")}`,
  };
}

export function availableCondition(
  server: DeltaSharingServer,
  deployment: V1Deployment | undefined,
): ConditionInput {
  const type = "Available";
  const wanted = deployment?.spec?.replicas ?? server.spec.replicas;
  if (wanted === 0) return { type, status: "False", reason: "ScaledToZero", message: "replicas is 0" };
  const available = deployment?.status?.availableReplicas ?? 0;
  const condition = deployment?.status?.conditions?.find((candidate) => candidate.type === "Available");
  if (condition === undefined) {
    return {
      type,
      status: "Unknown",
      reason: "DeploymentPending",
      message: "waiting for the Deployment's first status",
    };
  }
  const counts = `${available} of ${wanted ?? "?"} replicas available`;
  if (condition.status === "True" && available > 0)
    return { type, status: "True", reason: "ReplicasAvailable", message: counts };
  return {
    type,
    status: condition.status === "Unknown" ? "Unknown" : "False",
    reason: condition.reason ?? "ReplicasUnavailable",
    message: `${counts}${condition.message ? `: ${condition.message}` : ""}`,
  };
}

function publicEndpointCondition(server: DeltaSharingServer, endpoint: string): ConditionInput {
  if (server.spec.publicUrl !== undefined) {
    return {
      type: "PublicEndpoint",
      status: "True",
      reason: "PublicUrlSet",
      message: `profiles name ${endpoint}`,
    };
  }
  return {
    type: "PublicEndpoint",
    status: "False",
    reason: "InClusterAddress",
    message: `no spec.publicUrl: profiles name ${endpoint}, an address only reachable inside the cluster; set publicUrl to the Ingress or load balancer URL recipients reach`,
  };
}

export function serverStatus(
  server: DeltaSharingServer,
  outcome: ConfigOutcome,
  deployment: V1Deployment | undefined,
  loading: Loading,
  endpoint: string,
  now: Date,
): DeltaSharingServerStatus {
  const rendered = configCondition(outcome);
  const available = availableCondition(server, deployment);
  const loaded =
    rendered.status === "True" && available.status === "True"
      ? loadedCondition(loading, "the written configuration")
      : notYetJudged("Loaded", rendered.status === "True" ? available : rendered);
  const parts = [rendered, available, loaded];
  const inCluster = server.spec.publicUrl === undefined ? " (in-cluster only: no spec.publicUrl)" : "";
  const ready = readyFrom(parts, `serving at ${endpoint}${inCluster}`, "Serving");
  const generation = server.metadata.generation;
  return {
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    conditions: nextConditions(
      server.status?.conditions,
      [ready, ...parts, publicEndpointCondition(server, endpoint)],
      generation,
      now,
    ),
    endpoint,
    ...(outcome.ok
      ? { configSecretName: outcome.configSecretName, shares: outcome.shares, recipients: outcome.recipients }
      : {}),
    availableReplicas: deployment?.status?.availableReplicas ?? 0,
  };
}
