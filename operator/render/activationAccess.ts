// What a server needs to spend activation links, given only while one of its recipients has a
// link (spec.activation): a RoleBinding in the server's namespace to a ClusterRole allowing
// `create` and `get` on Leases and nothing else (leaseStoreRules, the server's own definition),
// and an API token for its pods in a projected volume of their own: a token the kubelet rotates
// (one hour), the cluster's CA and the namespace. Servers without links run with no API token.
import type {
  V1ClusterRole,
  V1EnvVar,
  V1RoleBinding,
  V1Volume,
  V1VolumeMount,
} from "@kubernetes/client-node";
import { leaseStoreRules, serviceAccountDirEnv } from "../../server/auth/activationLeases.ts";
import type { DeltaRecipient, DeltaSharingServer } from "../api/kinds.ts";
import { serverLabels, serverWorkloadName } from "./names.ts";
import { ownedMetadata } from "./ownerReference.ts";

export const kubeApiVolumeName = "kube-api";
export const kubeApiMountPath = "/var/run/secrets/delta-sharing/kube-api";
const tokenSeconds = 3600;

/** Whether any live recipient of the server asks for an activation link. */
export function servesActivationLinks(recipients: DeltaRecipient[]): boolean {
  return recipients.some(
    (recipient) =>
      recipient.spec.activation !== undefined && recipient.metadata.deletionTimestamp === undefined,
  );
}

export const activationBindingName = (server: DeltaSharingServer) =>
  `${serverWorkloadName(server)}-activation`;

/**
 * Binds the server's ServiceAccount, in its namespace only, to the installation's Lease-store
 * ClusterRole (leaseStoreRules; the chart installs it): the operator may bind that one role and
 * grants nothing it could widen.
 */
export function renderActivationBinding(server: DeltaSharingServer, clusterRole: string): V1RoleBinding {
  const metadata = ownedMetadata(server, activationBindingName(server), serverLabels(server.metadata.name));
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata,
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole },
    subjects: [{ kind: "ServiceAccount", name: serverWorkloadName(server), namespace: metadata.namespace }],
  };
}

/** The ClusterRole a server's binding names, as the chart installs it (rules: leaseStoreRules). */
export function renderLeaseStoreClusterRole(name: string): V1ClusterRole {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name },
    rules: leaseStoreRules,
  };
}

export const kubeApiVolume: V1Volume = {
  name: kubeApiVolumeName,
  projected: {
    defaultMode: 0o440,
    sources: [
      { serviceAccountToken: { path: "token", expirationSeconds: tokenSeconds } },
      { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
      { downwardAPI: { items: [{ path: "namespace", fieldRef: { fieldPath: "metadata.namespace" } }] } },
    ],
  },
};

export const kubeApiMount: V1VolumeMount = {
  name: kubeApiVolumeName,
  mountPath: kubeApiMountPath,
  readOnly: true,
};

export const kubeApiEnv: V1EnvVar = { name: serviceAccountDirEnv, value: kubeApiMountPath };
