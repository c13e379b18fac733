// Runs a Deployment's pod on this machine as a kubelet would, for a test ground that has no
// kubelet: the container's command, args, env and working directory exactly as rendered; Secret
// volumes written in the kubelet's atomic layout (files in a timestamped folder, `..data` a
// symlink to it, each key a symlink through `..data`) and updated by the same symlink swap when
// the Secret changes; projected volumes of a service-account token (from the TokenRequest API),
// ConfigMap keys and the pod's namespace, with the API server named in KUBERNETES_SERVICE_HOST
// and _PORT as the kubelet names it; readiness from the container's readinessProbe.
//
// What a container runtime would supply instead: the image's filesystem is this repository (the
// image copies it to the container's workingDir), volume mountPaths are folders under a temp dir
// (paths in command, args and env values are mapped to them), the pod's network is the loopback interface,
// and the AWS credentials IRSA would inject are given as extraEnv. Each pod may get its own
// loopback address (127.0.0.2, 127.0.0.3, …) as its pod IP; the Pod object is created in the API
// server with that IP and its Ready condition, as the kubelet reports them, so the operator finds
// and asks each pod as it would on a cluster.

import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, rename, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type {
  V1ConfigMap,
  V1Container,
  V1Deployment,
  V1Pod,
  V1Secret,
  V1Volume,
} from "@kubernetes/client-node";
import type { KubeClient } from "../../operator/kube/client.ts";
import { collectionPath, objectPath, resourceTypes } from "../../operator/kube/resourceTypes.ts";
import { repoRoot } from "../ground/paths.ts";
import { type RunningProcess, startProcess } from "../ground/process.ts";

export interface RunningPod {
  process: RunningProcess;
  /** The Pod object's name in the API server. */
  name: string;
  /** Base URL of the container's first port. */
  url: string;
  /** While held, Secret volumes are not refreshed: the kubelet's sync delay, made as long as a test needs. */
  holdSecretSync: (hold: boolean) => void;
  /** Folder standing in for each volume mount path. */
  mounts: Map<string, string>;
  /** Secret volume updates made so far (symlink swaps). */
  secretSwaps: () => number;
  stop: () => Promise<void>;
}

export interface PodOptions {
  client: KubeClient;
  deployment: V1Deployment;
  extraEnv?: Record<string, string>;
  /** How often Secret volumes are synced (the kubelet's own period is about a minute). */
  syncIntervalMs?: number;
  /** The pod's IP, a loopback address (default 127.0.0.1). */
  podIp?: string;
  /** The API server's URL, for KUBERNETES_SERVICE_HOST and _PORT. */
  apiServer?: string;
}

let swapCounter = 0;

/** Writes a Secret's data into dir the way the kubelet's AtomicWriter does. */
export async function writeSecretVolume(
  dir: string,
  data: Record<string, string>,
  mode: number,
): Promise<void> {
  const stamp = `..${new Date().toISOString().replace(/[-:.TZ]/g, "_")}${process.pid}_${++swapCounter}`;
  await mkdir(join(dir, stamp), { mode: 0o755 });
  for (const [key, value] of Object.entries(data)) {
    await writeFile(join(dir, stamp, key), Buffer.from(value, "base64"), { mode });
  }
  const entries = await readdir(dir);
  const previous = entries.filter((entry) => entry.startsWith("..") && entry !== "..data" && entry !== stamp);
  await symlink(stamp, join(dir, "..data_tmp"));
  await rename(join(dir, "..data_tmp"), join(dir, "..data"));
  for (const key of Object.keys(data)) {
    if (!entries.includes(key)) await symlink(join("..data", key), join(dir, key));
  }
  for (const entry of entries) {
    if (!entry.startsWith("..") && !(entry in data)) await rm(join(dir, entry), { force: true });
  }
  for (const old of previous) await rm(join(dir, old), { recursive: true, force: true });
}

function mapPath(value: string, mounts: Map<string, string>): string {
  for (const [mountPath, dir] of mounts) {
    if (value === mountPath || value.startsWith(`${mountPath}/`)) return dir + value.slice(mountPath.length);
  }
  return value;
}

/** A projected volume's files, base64 as Secret data: what the kubelet would write into it. */
async function projectedData(
  client: KubeClient,
  namespace: string,
  serviceAccount: string,
  volume: V1Volume,
): Promise<Record<string, string>> {
  const data: Record<string, string> = {};
  const put = (path: string, text: string) => {
    data[path] = Buffer.from(text).toString("base64");
  };
  for (const source of volume.projected?.sources ?? []) {
    if (source.serviceAccountToken) {
      const request = await client.create<{ status: { token: string } }>(
        `${objectPath(resourceTypes.serviceAccount, namespace, serviceAccount)}/token`,
        {
          apiVersion: "authentication.k8s.io/v1",
          kind: "TokenRequest",
          spec: {
            expirationSeconds: source.serviceAccountToken.expirationSeconds ?? 3600,
            ...(source.serviceAccountToken.audience
              ? { audiences: [source.serviceAccountToken.audience] }
              : {}),
          },
        },
      );
      put(source.serviceAccountToken.path, request.status.token);
    } else if (source.configMap?.name) {
      const map = await client.get<V1ConfigMap>(
        `/api/v1/namespaces/${namespace}/configmaps/${source.configMap.name}`,
      );
      for (const item of source.configMap.items ?? []) {
        const value = map.data?.[item.key];
        // the kubelet fails the mount (and the pod never starts) on a missing key
        if (value === undefined) throw new Error(`ConfigMap ${source.configMap.name} has no key ${item.key}`);
        put(item.path, value);
      }
    } else if (source.downwardAPI) {
      for (const item of source.downwardAPI.items ?? []) {
        if (item.fieldRef?.fieldPath !== "metadata.namespace")
          throw new Error(`downward API field ${item.fieldRef?.fieldPath} is not simulated`);
        put(item.path, namespace);
      }
    } else {
      throw new Error(`volume ${volume.name}: this projected source is not simulated`);
    }
  }
  return data;
}

async function secretData(
  client: KubeClient,
  namespace: string,
  name: string,
): Promise<Record<string, string>> {
  const secret = await client.get<V1Secret>(objectPath(resourceTypes.secret, namespace, name));
  return secret.data ?? {};
}

function containerPort(container: V1Container): number {
  const port = container.ports?.[0]?.containerPort;
  if (port === undefined) throw new Error("the container declares no port");
  return port;
}

function probePort(container: V1Container, port: number | string | undefined): number {
  if (typeof port === "number") return port;
  const named = container.ports?.find((candidate) => candidate.name === port);
  if (named === undefined) throw new Error(`no container port named ${port}`);
  return named.containerPort;
}

export async function runPod(options: PodOptions): Promise<RunningPod> {
  const { client, deployment } = options;
  const namespace = deployment.metadata?.namespace ?? "default";
  const pod = deployment.spec?.template.spec;
  const container = pod?.containers[0];
  if (pod === undefined || container === undefined) throw new Error("the Deployment has no container");
  const podIp = options.podIp ?? "127.0.0.1";
  const root = await mkdtemp(join(tmpdir(), "dso-pod-"));
  const mounts = new Map<string, string>();
  const secretVolumes: { dir: string; volume: V1Volume; data: string }[] = [];
  for (const mount of container.volumeMounts ?? []) {
    const volume = pod.volumes?.find((candidate) => candidate.name === mount.name);
    if (volume === undefined) throw new Error(`volume ${mount.name} is not declared`);
    if (mount.subPath !== undefined)
      throw new Error("subPath mounts are not simulated (and never see updates)");
    const dir = join(root, "volumes", mount.name);
    await mkdir(dir, { recursive: true });
    mounts.set(mount.mountPath, dir);
    if (volume.secret?.secretName !== undefined) {
      const data = await secretData(client, namespace, volume.secret.secretName);
      await writeSecretVolume(dir, data, volume.secret.defaultMode ?? 0o644);
      secretVolumes.push({ dir, volume, data: JSON.stringify(data) });
    } else if (volume.projected !== undefined) {
      const data = await projectedData(client, namespace, pod.serviceAccountName ?? "default", volume);
      await writeSecretVolume(dir, data, volume.projected.defaultMode ?? 0o644);
    } else if (volume.emptyDir === undefined) {
      throw new Error(`volume ${mount.name} is neither a Secret, a projected volume nor an emptyDir`);
    }
  }

  const api = options.apiServer === undefined ? undefined : new URL(options.apiServer);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: root,
    ...(api
      ? {
          KUBERNETES_SERVICE_HOST: api.hostname.replace(/^\[|\]$/g, ""),
          KUBERNETES_SERVICE_PORT: api.port || "443",
        }
      : {}),
    ...options.extraEnv,
  };
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = mapPath(variable.value, mounts);
    else if (variable.valueFrom?.secretKeyRef) {
      const ref = variable.valueFrom.secretKeyRef;
      const data = await secretData(client, namespace, ref.name ?? "");
      env[variable.name] = Buffer.from(data[ref.key] ?? "", "base64").toString("utf8");
    } else if (variable.valueFrom?.fieldRef?.fieldPath === "status.podIP") env[variable.name] = podIp;
    else throw new Error(`env ${variable.name}: this source is not simulated`);
  }

  const [command, ...commandArgs] = [...(container.command ?? []), ...(container.args ?? [])].map((part) =>
    mapPath(part, mounts),
  );
  if (command === undefined)
    throw new Error("the container names no command (the image's entrypoint is not simulated)");
  const port = containerPort(container);
  const probe = container.readinessProbe?.httpGet;
  const readyUrl = `http://${podIp}:${probePort(container, probe?.port)}${probe?.path ?? "/"}`;
  const running = await startProcess({
    name: `pod ${deployment.metadata?.name}`,
    command,
    args: commandArgs,
    cwd: repoRoot,
    env,
    ready: async () => (await fetch(readyUrl, { signal: AbortSignal.timeout(2000) })).ok,
    readyTimeoutMs: 60_000,
  });

  const podObject = await createPodObject(client, deployment, podIp);
  const name = podObject.metadata?.name ?? "";

  let swaps = 0;
  let syncing = false;
  let held = false;
  const sync = setInterval(async () => {
    if (syncing || held) return;
    syncing = true;
    try {
      for (const entry of secretVolumes) {
        const data = await secretData(client, namespace, entry.volume.secret?.secretName ?? "");
        const text = JSON.stringify(data);
        if (text === entry.data) continue;
        await writeSecretVolume(entry.dir, data, entry.volume.secret?.defaultMode ?? 0o644);
        entry.data = text;
        swaps += 1;
      }
    } catch {
      // the API server may be restarting; the next round syncs
    } finally {
      syncing = false;
    }
  }, options.syncIntervalMs ?? 500);

  return {
    process: running,
    name,
    url: `http://${podIp}:${port}`,
    holdSecretSync: (hold) => {
      held = hold;
    },
    mounts,
    secretSwaps: () => swaps,
    stop: async () => {
      clearInterval(sync);
      await client.delete(objectPath(resourceTypes.pod, namespace, name)).catch(() => undefined);
      await running.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** The Pod as the API server would hold it once scheduled, started and ready on its IP. */
async function createPodObject(client: KubeClient, deployment: V1Deployment, podIp: string): Promise<V1Pod> {
  const namespace = deployment.metadata?.namespace ?? "default";
  const template = deployment.spec?.template;
  const name = `${deployment.metadata?.name}-${randomBytes(4).toString("hex")}`;
  const created = await client.create<V1Pod>(collectionPath(resourceTypes.pod, namespace), {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace,
      labels: template?.metadata?.labels,
      annotations: template?.metadata?.annotations,
    },
    spec: { ...template?.spec, nodeName: "e2e-node" },
  });
  const now = `${new Date().toISOString().slice(0, 19)}Z`;
  const ready = (type: string) => ({ type, status: "True", lastTransitionTime: now });
  await client.apply(
    objectPath(resourceTypes.pod, namespace, name, "status"),
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace },
      status: {
        phase: "Running",
        podIP: podIp,
        podIPs: [{ ip: podIp }],
        hostIP: "127.0.0.1",
        startTime: now,
        conditions: [ready("PodScheduled"), ready("Initialized"), ready("ContainersReady"), ready("Ready")],
      },
    },
    { fieldManager: "e2e-kubelet" },
  );
  return created;
}

/** Reports the Deployment available, as the deployment controller does once its pods are ready. */
export async function reportDeploymentAvailable(client: KubeClient, deployment: V1Deployment): Promise<void> {
  const replicas = deployment.spec?.replicas ?? 1;
  const now = `${new Date().toISOString().slice(0, 19)}Z`;
  await client.apply(
    objectPath(
      resourceTypes.deployment,
      deployment.metadata?.namespace,
      deployment.metadata?.name ?? "",
      "status",
    ),
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: deployment.metadata?.name, namespace: deployment.metadata?.namespace },
      status: {
        observedGeneration: deployment.metadata?.generation,
        replicas,
        updatedReplicas: replicas,
        readyReplicas: replicas,
        availableReplicas: replicas,
        conditions: [
          {
            type: "Available",
            status: "True",
            reason: "MinimumReplicasAvailable",
            message: "Deployment has minimum availability.",
            lastUpdateTime: now,
            lastTransitionTime: now,
          },
        ],
      },
    },
    { fieldManager: "e2e-deployment-controller" },
  );
}
