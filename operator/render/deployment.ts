// The server's Deployment. Pods run non-root on a read-only root filesystem, with probes on the
// ops port's /livez and /readyz (the data port answers recipients only). The config Secret is mounted as a whole directory (never with
// subPath) so the kubelet's atomic symlink swap delivers changes, and the server reloads them
// itself: the pod template does not change with shares or recipients, so no rolling restart
// happens; only the listening address, port and path, which a reload cannot change, roll the pods,
// and the API token the pods get while a recipient has an activation link (activationAccess.ts).
import type { V1Container, V1Deployment, V1PodSpec } from "@kubernetes/client-node";
import { serverDefaults } from "../api/deltaSharingServer.ts";
import { group } from "../api/group.ts";
import type { DeltaSharingServer } from "../api/kinds.ts";
import { kubeApiEnv, kubeApiMount, kubeApiVolume } from "./activationAccess.ts";
import { configSecretName, selectorLabels, serverLabels, serverWorkloadName } from "./names.ts";
import { ownedMetadata } from "./ownerReference.ts";
import { configFileName } from "./serverConfig.ts";
import { httpPortName, opsPortName } from "./service.ts";

export const configMountPath = "/etc/delta-sharing";
/** Where the image keeps the application; the server entry point is relative to it. */
export const appDirectory = "/app";
export const serverCommand = ["node", "server/main.ts"];
const nonRootUser = 65532;

// What the server fixes when it starts and cannot reload: a change to these (and only these)
// belongs in the pod template, so that it rolls the pods.
export const listenAnnotation = `${group}/listen`;

function listenSettings(server: DeltaSharingServer): string {
  const spec = server.spec;
  const host = spec.bindAddress ?? serverDefaults.bindAddress;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  const ops = spec.opsPort ?? serverDefaults.opsPort;
  return `${shownHost}:${spec.port ?? serverDefaults.port}${spec.endpointPath ?? serverDefaults.endpointPath} ops ${ops}`;
}

export interface DeploymentOptions {
  /** Image used when the server's spec names none (the operator's own image by default). */
  defaultImage: string;
  /** Some recipient has an activation link: the pods get the API token that spends them. */
  activationLinks?: boolean;
}

function serverContainer(server: DeltaSharingServer, options: DeploymentOptions): V1Container {
  const spec = server.spec;
  return {
    name: "server",
    image: spec.image ?? options.defaultImage,
    ...(spec.imagePullPolicy !== undefined ? { imagePullPolicy: spec.imagePullPolicy } : {}),
    workingDir: appDirectory,
    command: serverCommand,
    args: ["--config", `${configMountPath}/${configFileName}`],
    env: [
      { name: "NODE_ENV", value: "production" },
      ...(options.activationLinks ? [kubeApiEnv] : []),
      ...(spec.s3?.region !== undefined ? [{ name: "AWS_REGION", value: spec.s3.region }] : []),
    ],
    ports: [
      { name: httpPortName, containerPort: spec.port ?? serverDefaults.port, protocol: "TCP" },
      { name: opsPortName, containerPort: spec.opsPort ?? serverDefaults.opsPort, protocol: "TCP" },
    ],
    livenessProbe: {
      httpGet: { path: "/livez", port: opsPortName },
      periodSeconds: 10,
      timeoutSeconds: 3,
      failureThreshold: 3,
    },
    readinessProbe: {
      httpGet: { path: "/readyz", port: opsPortName },
      periodSeconds: 5,
      timeoutSeconds: 3,
      failureThreshold: 2,
    },
    resources: {
      requests: { ...serverDefaults.resources.requests, ...spec.resources?.requests } as Record<
        string,
        string
      >,
      limits: { ...serverDefaults.resources.limits, ...spec.resources?.limits } as Record<string, string>,
    },
    securityContext: {
      runAsNonRoot: true,
      runAsUser: nonRootUser,
      runAsGroup: nonRootUser,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    },
    volumeMounts: [
      { name: "config", mountPath: configMountPath, readOnly: true },
      { name: "tmp", mountPath: "/tmp" },
      ...(options.activationLinks ? [kubeApiMount] : []),
    ],
  };
}

function podSpec(server: DeltaSharingServer, options: DeploymentOptions): V1PodSpec {
  const spec = server.spec;
  return {
    serviceAccountName: serverWorkloadName(server),
    automountServiceAccountToken: false,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: nonRootUser,
      runAsGroup: nonRootUser,
      fsGroup: nonRootUser,
      seccompProfile: { type: "RuntimeDefault" },
    },
    containers: [serverContainer(server, options)],
    volumes: [
      { name: "config", secret: { secretName: configSecretName(server), defaultMode: 0o440 } },
      { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
      ...(options.activationLinks ? [kubeApiVolume] : []),
    ],
    terminationGracePeriodSeconds: 30,
    ...(spec.nodeSelector !== undefined ? { nodeSelector: spec.nodeSelector } : {}),
    ...(spec.tolerations !== undefined ? { tolerations: spec.tolerations } : {}),
    ...(spec.affinity !== undefined ? { affinity: spec.affinity } : {}),
  };
}

export function renderDeployment(server: DeltaSharingServer, options: DeploymentOptions): V1Deployment {
  const name = server.metadata.name;
  const spec = server.spec;
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: ownedMetadata(server, serverWorkloadName(server), serverLabels(name)),
    spec: {
      replicas: spec.replicas ?? serverDefaults.replicas,
      selector: { matchLabels: selectorLabels(name) },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: {
          labels: { ...spec.podLabels, ...serverLabels(name) },
          annotations: { ...spec.podAnnotations, [listenAnnotation]: listenSettings(server) },
        },
        spec: podSpec(server, options),
      },
    },
  };
}
