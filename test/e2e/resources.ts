// Reading the custom resources and their Secrets back in end-to-end tests, and waiting on their
// conditions as `kubectl wait --for=condition=…` does.
import type { V1Secret } from "@kubernetes/client-node";
import type { Condition } from "../../operator/api/condition.ts";
import { apiVersion } from "../../operator/api/group.ts";
import type { KubeObject } from "../../operator/kube/objects.ts";
import type { ResourceType } from "../../operator/kube/resourceTypes.ts";
import { resourceTypes } from "../../operator/kube/resourceTypes.ts";
import { type Profile, profileKey } from "../../operator/render/credentialSecret.ts";
import { parseConfigText } from "../../server/config/load.ts";
import type { ServerConfig } from "../../server/config/schema.ts";
import { waitUntil } from "../ground/wait.ts";
import type { Cluster } from "./cluster.ts";

export type WithStatus = KubeObject & { status?: { conditions?: Condition[]; [key: string]: unknown } };

export function condition(object: WithStatus | undefined, type: string): Condition | undefined {
  return object?.status?.conditions?.find((each) => each.type === type);
}

/** Waits until the object's condition has the status (and reason, when given); returns the object. */
export async function waitForCondition(
  cluster: Cluster,
  type: ResourceType,
  name: string,
  expected: { type?: string; status: "True" | "False" | "Unknown"; reason?: string },
  timeoutMs = 30_000,
): Promise<WithStatus> {
  let last: WithStatus | undefined;
  await waitUntil(
    async () => {
      last = await cluster.get<WithStatus>(type, name);
      const found = condition(last, expected.type ?? "Ready");
      return (
        found?.status === expected.status &&
        (expected.reason === undefined || found.reason === expected.reason) &&
        found.observedGeneration === last?.metadata.generation
      );
    },
    {
      timeoutMs,
      what: `${type.kind} ${name} ${expected.type ?? "Ready"}=${expected.status}${expected.reason ? ` (${expected.reason})` : ""}; last status ${JSON.stringify(last?.status)}`,
    },
  );
  if (last === undefined) throw new Error("unreachable");
  return last;
}

/** Waits until the object is in the server's configuration (Accepted) while no pod has loaded it yet. */
export async function waitForPodsOnly(
  cluster: Cluster,
  type: ResourceType,
  name: string,
): Promise<WithStatus> {
  await waitForCondition(cluster, type, name, { type: "Accepted", status: "True" });
  return waitForCondition(cluster, type, name, { status: "Unknown", reason: "WaitingForPods" });
}

export async function profileFrom(cluster: Cluster, secretName: string): Promise<Profile> {
  const secret = await cluster.get<V1Secret>(resourceTypes.secret, secretName);
  const encoded = secret?.data?.[profileKey];
  if (encoded === undefined) throw new Error(`Secret ${secretName} holds no ${profileKey}`);
  return JSON.parse(Buffer.from(encoded, "base64").toString("utf8")) as Profile;
}

/** GET {endpoint}/shares with a token: the cheapest authenticated request. */
export async function listSharesStatus(endpoint: string, token: string): Promise<number> {
  const response = await fetch(`${endpoint}/shares`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(10_000),
  });
  await response.body?.cancel();
  return response.status;
}

/** A server "sharing" (no pods run) serving one share "sales": the ground for recipient-heavy runs. */
export async function applyServerAndShare(cluster: Cluster, replicas = 1): Promise<void> {
  await cluster.apply({
    apiVersion,
    kind: "DeltaSharingServer",
    metadata: { name: "sharing" },
    spec: { replicas },
  } as KubeObject);
  await cluster.apply({
    apiVersion,
    kind: "DeltaShare",
    metadata: { name: "sales" },
    spec: {
      serverRef: { name: "sharing" },
      schemas: [{ name: "q", tables: [{ name: "t", location: "s3://bucket-a/t" }] }],
    },
  } as KubeObject);
}

/** The configuration the operator wrote into a server's config Secret. */
export async function storedConfig(cluster: Cluster, secretName = "sharing-config"): Promise<ServerConfig> {
  const secret = await cluster.get<V1Secret>(resourceTypes.secret, secretName);
  const text = Buffer.from(secret?.data?.["config.yaml"] ?? "", "base64").toString("utf8");
  return parseConfigText(text, `${secretName}/config.yaml`);
}
