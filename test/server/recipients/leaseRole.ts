// A kubeconfig for a service account that holds only the Role server pods get for activation
// links (leaseStoreRules), with a token from the TokenRequest API: what a server pod runs as.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CoreV1Api, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { stringify } from "yaml";
import { leaseStoreRules } from "../../../server/auth/activationLeases.ts";
import type { KubeGround } from "../../ground/kube.ts";

export async function leaseOnlyKubeconfig(kube: KubeGround, namespace: string, dir: string): Promise<string> {
  const core = kube.kubeConfig.makeApiClient(CoreV1Api);
  const rbac = kube.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
  const name = "sharing-server";
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  await rbac.createNamespacedRole({ namespace, body: { metadata: { name }, rules: leaseStoreRules } });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
      subjects: [{ kind: "ServiceAccount", name, namespace }],
    },
  });
  const request = await core.createNamespacedServiceAccountToken({
    name,
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const token = request.status?.token;
  if (!token) throw new Error("the API server issued no service-account token");
  const cluster = kube.kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error("the ground's kubeconfig names no cluster");
  const path = join(dir, "lease-only.kubeconfig");
  const kubeconfig = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "ground",
        cluster: {
          server: cluster.server,
          ...(cluster.caData ? { "certificate-authority-data": cluster.caData } : {}),
          ...(cluster.caFile ? { "certificate-authority": cluster.caFile } : {}),
        },
      },
    ],
    users: [{ name, user: { token } }],
    contexts: [{ name: "ground", context: { cluster: "ground", user: name, namespace } }],
    "current-context": "ground",
  };
  await writeFile(path, stringify(kubeconfig), { mode: 0o600 });
  return path;
}
