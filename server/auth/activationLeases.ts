// Spending an activation code exactly once across replicas that share no store of their own: the
// Kubernetes API is the one store they all reach. Spending is the atomic create of a Lease named
// for the code's hash; the API server lets exactly one create of a name succeed, so of two replicas
// racing for the same code one gets the profile and the other a 409, answered as "already used".
// The server pods need `create` and `get` on Leases in their namespace and nothing else (no list,
// update or delete): they can neither enumerate nor undo a spend. The operator deletes the Leases
// of links that have expired.
import { readFileSync } from "node:fs";
import { isIPv6 } from "node:net";
import { join } from "node:path";
import { ApiException, CoordinationV1Api, KubeConfig } from "@kubernetes/client-node";
import type { ActivationConfig } from "../config/schema.ts";

export type SpendResult = "spent" | "alreadySpent";

export interface ActivationSpender {
  /** Marks the code spent; throws when the store cannot say (the caller answers 503). */
  spend(codeSha256: string, recipient: string, expiresAt: string): Promise<SpendResult>;
  /** Whether the code was spent, so a browser is not offered a button that can only fail. */
  isSpent(codeSha256: string): Promise<boolean>;
}

/** The only RBAC rule a server pod needs for activation links (one definition, for the Role that grants it). */
export const leaseStoreRules = [
  { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create", "get"] },
];

/** The pod's API access (token, ca.crt, namespace), where the operator's Deployment mounts it. */
export const serviceAccountDirEnv = "DSO_SERVICE_ACCOUNT_DIR";
const defaultServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";
const timeoutMs = 10_000;

// In cluster: the API server the kubelet names in the environment, the CA and a token the kubelet
// keeps fresh in the projected volume (re-read as it rotates), and the pod's namespace.
function inCluster(kubeConfig: KubeConfig): string {
  const dir = process.env[serviceAccountDirEnv] ?? defaultServiceAccountDir;
  const host = process.env.KUBERNETES_SERVICE_HOST;
  const port = process.env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) throw new Error("KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set");
  kubeConfig.loadFromClusterAndUser(
    {
      name: "in-cluster",
      server: `https://${isIPv6(host) ? `[${host}]` : host}:${port}`,
      caFile: join(dir, "ca.crt"),
      skipTLSVerify: false,
    },
    { name: "server", authProvider: { name: "tokenFile", config: { tokenFile: join(dir, "token") } } },
  );
  return readFileSync(join(dir, "namespace"), "utf8").trim();
}

export const activationLeasePrefix = "dso-activation-";

/** What a spent code's Lease says, for people and for the operator that deletes it once the link expired. */
export const spentLeaseAnnotations = {
  recipient: "sharing.delta-sharing-operator.dev/recipient",
  linkExpiresAt: "sharing.delta-sharing-operator.dev/link-expires-at",
  spentAt: "sharing.delta-sharing-operator.dev/spent-at",
} as const;

/** The Lease a code's spend creates: its name is all that matters, the rest is for people. */
export function activationLeaseName(codeSha256: string): string {
  return `${activationLeasePrefix}${codeSha256}`;
}

function bounded<T>(call: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the Lease store did not answer in time")), timeoutMs);
    call.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

export function leaseSpender(config: ActivationConfig | undefined): ActivationSpender {
  let api: CoordinationV1Api | undefined;
  let namespace: string | undefined;
  const connect = () => {
    if (api && namespace) return { api, namespace };
    const kubeConfig = new KubeConfig();
    let podNamespace: string | undefined;
    if (config?.kubeconfigFile) kubeConfig.loadFromFile(config.kubeconfigFile);
    else podNamespace = inCluster(kubeConfig);
    namespace =
      config?.leaseNamespace ??
      podNamespace ??
      kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace ??
      "default";
    api = kubeConfig.makeApiClient(CoordinationV1Api);
    return { api, namespace };
  };
  return {
    async spend(codeSha256, recipient, expiresAt) {
      const store = connect();
      const body = {
        metadata: {
          name: activationLeaseName(codeSha256),
          labels: { "app.kubernetes.io/managed-by": "delta-sharing-operator" },
          annotations: {
            [spentLeaseAnnotations.recipient]: recipient,
            [spentLeaseAnnotations.linkExpiresAt]: expiresAt,
            [spentLeaseAnnotations.spentAt]: new Date().toISOString(),
          },
        },
        spec: { holderIdentity: recipient },
      };
      try {
        await bounded(store.api.createNamespacedLease({ namespace: store.namespace, body }));
        return "spent";
      } catch (error) {
        if (error instanceof ApiException && error.code === 409) return "alreadySpent";
        throw error;
      }
    },
    async isSpent(codeSha256) {
      const store = connect();
      const name = activationLeaseName(codeSha256);
      try {
        await bounded(store.api.readNamespacedLease({ namespace: store.namespace, name }));
        return true;
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return false;
        throw error;
      }
    },
  };
}
