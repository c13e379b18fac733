// The resource types the operator reads and writes, and their REST paths.
import { group, version } from "../api/group.ts";

export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

export const resourceTypes = {
  server: { group, version, plural: "deltasharingservers", kind: "DeltaSharingServer" },
  share: { group, version, plural: "deltashares", kind: "DeltaShare" },
  recipient: { group, version, plural: "deltarecipients", kind: "DeltaRecipient" },
  secret: { group: "", version: "v1", plural: "secrets", kind: "Secret" },
  serviceAccount: { group: "", version: "v1", plural: "serviceaccounts", kind: "ServiceAccount" },
  service: { group: "", version: "v1", plural: "services", kind: "Service" },
  event: { group: "", version: "v1", plural: "events", kind: "Event" },
  pod: { group: "", version: "v1", plural: "pods", kind: "Pod" },
  ingress: { group: "networking.k8s.io", version: "v1", plural: "ingresses", kind: "Ingress" },
  deployment: { group: "apps", version: "v1", plural: "deployments", kind: "Deployment" },
  podDisruptionBudget: {
    group: "policy",
    version: "v1",
    plural: "poddisruptionbudgets",
    kind: "PodDisruptionBudget",
  },
  podMonitor: { group: "monitoring.coreos.com", version: "v1", plural: "podmonitors", kind: "PodMonitor" },
  lease: { group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease" },
  clusterRole: {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    plural: "clusterroles",
    kind: "ClusterRole",
  },
  roleBinding: {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    plural: "rolebindings",
    kind: "RoleBinding",
  },
  customResourceDefinition: {
    group: "apiextensions.k8s.io",
    version: "v1",
    plural: "customresourcedefinitions",
    kind: "CustomResourceDefinition",
  },
} satisfies Record<string, ResourceType>;

export function apiVersionOf(type: ResourceType): string {
  return type.group === "" ? type.version : `${type.group}/${type.version}`;
}

function prefix(type: ResourceType): string {
  return type.group === "" ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
}

/** The collection: in one namespace, across all (namespace undefined), or cluster-scoped. */
export function collectionPath(type: ResourceType, namespace?: string): string {
  return namespace === undefined
    ? `${prefix(type)}/${type.plural}`
    : `${prefix(type)}/namespaces/${encodeURIComponent(namespace)}/${type.plural}`;
}

export function objectPath(
  type: ResourceType,
  namespace: string | undefined,
  name: string,
  subresource?: "status",
): string {
  const path = `${collectionPath(type, namespace)}/${encodeURIComponent(name)}`;
  return subresource === undefined ? path : `${path}/${subresource}`;
}
