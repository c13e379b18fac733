// The operator's end-to-end ground: a real API server with the CRDs installed, a client for the
// test's own requests (made under its own field manager, as kubectl would), and the operator
// running as a child process exactly as its container would run it.
import { join } from "node:path";
import { allCustomResourceDefinitions } from "../../operator/api/crds.ts";
import { createKubeClient, type KubeClient } from "../../operator/kube/client.ts";
import type { KubeObject } from "../../operator/kube/objects.ts";
import {
  apiVersionOf,
  objectPath,
  type ResourceType,
  resourceTypes,
} from "../../operator/kube/resourceTypes.ts";
import { defaultActivationClusterRole } from "../../operator/main.ts";
import { renderLeaseStoreClusterRole } from "../../operator/render/activationAccess.ts";
import { type KubeGround, startKube } from "../ground/kube.ts";
import { repoRoot } from "../ground/paths.ts";
import { freePort } from "../ground/ports.ts";
import { type RunningProcess, startProcess } from "../ground/process.ts";
import { waitUntil } from "../ground/wait.ts";

export interface Cluster {
  kube: KubeGround;
  client: KubeClient;
  /** Server-side applies an object as `kubectl apply --server-side` would. */
  apply: <T extends KubeObject>(object: T, fieldManager?: string) => Promise<T>;
  get: <T>(type: ResourceType, name: string, namespace?: string) => Promise<T | undefined>;
  stop: () => Promise<void>;
}

const typesByKind = new Map(Object.values(resourceTypes).map((type) => [type.kind, type]));

export function typeOf(object: { apiVersion: string; kind: string }): ResourceType {
  const type = typesByKind.get(object.kind);
  if (type === undefined || apiVersionOf(type) !== object.apiVersion) {
    throw new Error(`no resource type for ${object.apiVersion} ${object.kind}`);
  }
  return type;
}

export async function installCrds(client: KubeClient): Promise<void> {
  for (const crd of allCustomResourceDefinitions()) {
    const name = (crd.metadata as { name: string }).name;
    await client.apply(objectPath(resourceTypes.customResourceDefinition, undefined, name), crd, {
      fieldManager: "e2e-installer",
    });
  }
  // a CRD serves its kind only once it is Established
  await waitUntil(
    async () => {
      for (const crd of allCustomResourceDefinitions()) {
        const name = (crd.metadata as { name: string }).name;
        const stored = await client.get<{ status?: { conditions?: { type: string; status: string }[] } }>(
          objectPath(resourceTypes.customResourceDefinition, undefined, name),
        );
        if (!stored.status?.conditions?.some((c) => c.type === "Established" && c.status === "True"))
          return false;
      }
      return true;
    },
    { timeoutMs: 30_000, what: "the CRDs to be established" },
  );
}

// What kube-controller-manager (not run here) publishes in every namespace: the cluster's CA, which
// pods' projected API access volumes take as ca.crt.
async function publishRootCa(kube: KubeGround, client: KubeClient, namespace: string): Promise<void> {
  const caData = kube.kubeConfig.getCurrentCluster()?.caData;
  if (caData === undefined) throw new Error("the ground's kubeconfig carries no CA");
  await client.apply(
    `/api/v1/namespaces/${namespace}/configmaps/kube-root-ca.crt`,
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "kube-root-ca.crt", namespace },
      data: { "ca.crt": Buffer.from(caData, "base64").toString("utf8") },
    },
    { fieldManager: "e2e-controller-manager" },
  );
}

export async function startCluster(): Promise<Cluster> {
  const kube = await startKube();
  const client = createKubeClient(kube.kubeConfig);
  try {
    await installCrds(client);
    await publishRootCa(kube, client, "default");
    // what the chart installs beside the operator: the role servers with activation links get
    const role = renderLeaseStoreClusterRole(defaultActivationClusterRole);
    await client.apply(objectPath(resourceTypes.clusterRole, undefined, defaultActivationClusterRole), role, {
      fieldManager: "e2e-installer",
    });
  } catch (error) {
    await kube.stop();
    throw error;
  }
  const apply = <T extends KubeObject>(object: T, fieldManager = "e2e-kubectl") =>
    client.apply<T>(
      objectPath(typeOf(object), object.metadata.namespace ?? "default", object.metadata.name),
      { ...object, metadata: { namespace: "default", ...object.metadata } },
      { fieldManager },
    );
  const get = async <T>(type: ResourceType, name: string, namespace = "default") => {
    try {
      return await client.get<T>(objectPath(type, namespace, name));
    } catch (error) {
      if ((error as { status?: number }).status === 404) return undefined;
      throw error;
    }
  };
  return { kube, client, apply, get, stop: () => kube.stop() };
}

export interface RunningOperator {
  process: RunningProcess;
  healthUrl: string;
  output: () => string;
  stop: () => Promise<void>;
  /** SIGKILL: no shutdown, no lease release. */
  kill: () => Promise<void>;
}

export interface OperatorRun {
  identity?: string;
  /** Extra flags (lease timings, concurrency). */
  args?: string[];
}

/** Starts `node operator/main.ts` with KUBECONFIG, as its container would; ready when /healthz answers. */
export async function startOperator(kube: KubeGround, run: OperatorRun = {}): Promise<RunningOperator> {
  const port = await freePort();
  const healthUrl = `http://127.0.0.1:${port}`;
  const child = await startProcess({
    name: `operator ${run.identity ?? ""}`.trim(),
    command: process.execPath,
    args: [
      join(repoRoot, "operator", "main.ts"),
      `--health-address=127.0.0.1:${port}`,
      "--lease-namespace=default",
      ...(run.identity !== undefined ? [`--identity=${run.identity}`] : []),
      ...(run.args ?? []),
    ],
    env: { ...process.env, KUBECONFIG: kube.kubeconfigPath, POD_NAMESPACE: "default" },
    ready: async () => (await fetch(`${healthUrl}/healthz`, { signal: AbortSignal.timeout(1000) })).ok,
    readyTimeoutMs: 30_000,
  });
  const kill = async () => {
    if (child.child.exitCode !== null || child.child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.child.once("exit", resolve));
    process.kill(-(child.child.pid ?? 0), "SIGKILL");
    await exited;
  };
  return { process: child, healthUrl, output: child.output, stop: child.stop, kill };
}
