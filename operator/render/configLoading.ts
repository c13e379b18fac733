// Whether a server's running pods serve the configuration the operator wrote: its Deployment
// Available and every ready pod reporting, on its ops port, the SHA-256 of the written file. This
// is what Ready means for a share or recipient: a recipient can read now, not "will soon".
import { createHash } from "node:crypto";
import type { V1Deployment, V1Secret } from "@kubernetes/client-node";
import type { DeltaSharingServer } from "../api/kinds.ts";
import type { ServingReport } from "../serving/servingTracker.ts";
import type { ConditionInput } from "./conditions.ts";
import { configFileName } from "./serverConfig.ts";
import { availableCondition } from "./serverStatus.ts";

export type Loading = { loaded: true; pods: number } | { loaded: false; message: string };

// The kubelet refreshes a mounted Secret on its sync period plus its cache's TTL: about a minute
// by default, sometimes two.
export const secretRefreshNote =
  "a running pod sees a changed Secret after the kubelet's sync, up to a minute or two";

// cached Secrets are replaced, never changed: each version (up to a megabyte) is hashed once, not
// once per recipient reconciled against it
const hashed = new WeakMap<object, string | undefined>();

/** SHA-256 (hex) of the configuration file's bytes as stored in the config Secret. */
export function writtenConfigSha256(secret: V1Secret | undefined): string | undefined {
  if (secret === undefined) return undefined;
  if (hashed.has(secret)) return hashed.get(secret);
  const encoded = secret.data?.[configFileName];
  const sha256 =
    encoded === undefined
      ? undefined
      : createHash("sha256").update(Buffer.from(encoded, "base64")).digest("hex");
  hashed.set(secret, sha256);
  return sha256;
}

export function judgeLoading(
  server: DeltaSharingServer,
  deployment: V1Deployment | undefined,
  report: ServingReport | undefined,
  sha256: string | undefined,
): Loading {
  const name = server.metadata.name;
  const available = availableCondition(server, deployment);
  if (available.status !== "True")
    return { loaded: false, message: `server ${name} is not available: ${available.message}` };
  if (sha256 === undefined)
    return { loaded: false, message: `server ${name}'s configuration is not written yet` };
  if (report === undefined) return { loaded: false, message: `asking server ${name}'s pods what they serve` };
  if (report.pods.length === 0) return { loaded: false, message: `server ${name} has no ready pod` };
  const silent = report.pods.filter((pod) => "error" in pod.status);
  const first = silent[0];
  if (first !== undefined && "error" in first.status)
    return {
      loaded: false,
      message: `pod ${first.name} did not report its status: ${first.status.error} (the operator must reach each pod's ops port; a NetworkPolicy must admit it)`,
    };
  const behind = report.pods.filter((pod) => "config" in pod.status && pod.status.config.sha256 !== sha256);
  if (behind.length > 0) {
    return {
      loaded: false,
      message: `${behind.length} of ${report.pods.length} ready pods of server ${name} still serve an earlier configuration (${secretRefreshNote})`,
    };
  }
  return { loaded: true, pods: report.pods.length };
}

/** No ready pod serves a configuration other than the written one: what was removed from it is refused. */
export function everyPodServes(report: ServingReport | undefined, sha256: string | undefined): boolean {
  if (report === undefined || sha256 === undefined) return false;
  return report.pods.every((pod) => "config" in pod.status && pod.status.config.sha256 === sha256);
}

export function loadedCondition(loading: Loading, what: string): ConditionInput {
  if (loading.loaded) {
    return {
      type: "Loaded",
      status: "True",
      reason: "ConfigLoaded",
      message: `every ready pod (${loading.pods}) serves ${what}`,
    };
  }
  return { type: "Loaded", status: "Unknown", reason: "WaitingForPods", message: loading.message };
}
