// The chart installed for real on a kube-apiserver, and its operator Deployment run as a kubelet
// would run it: the image (replayed from the Dockerfile) with the rendered args and env, as UID
// 65532 on a read-only root, authenticated only by a token of the chart's ServiceAccount mounted at
// the in-cluster path. With nothing but the chart's RBAC it takes examples/share.yaml into the
// server's configuration (Ready waits for pods, which no kubelet runs here),
// releases a deleted recipient's finalizer, removes a PodDisruptionBudget the spec drops, binds a
// server to the chart's Lease role for activation links and unbinds it, without one request refused; and the same identity is refused what the chart does not grant.
import assert from "node:assert/strict";
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { parse } from "yaml";
import { createKubeClient, type KubeClient } from "../../operator/kube/client.ts";
import { objectPath, type ResourceType, resourceTypes } from "../../operator/kube/resourceTypes.ts";
import { leaseStoreRules } from "../../server/auth/activationLeases.ts";
import { type ResourceAttributes, serviceAccountMay } from "../ground/accessReview.ts";
import { type KubeGround, startKube } from "../ground/kube.ts";
import { freePort } from "../ground/ports.ts";
import type { RunningProcess } from "../ground/process.ts";
import { waitUntil } from "../ground/wait.ts";
import { cachedImage } from "../image/builtImage.ts";
import { startContainer } from "../image/container.ts";
import { exampleObjects } from "../operator/resources.ts";
import { applyManifest, chartDir, type Manifest, renderChart } from "./helm.ts";

const release = "dso";
const operatorNamespace = "dso-system";
const sharingNamespace = "sharing";
const serviceAccount = "dso-delta-sharing-operator";
const nonRoot = 65532;

let kube: KubeGround;
let admin: KubeClient;
let scratch: string;
let operator: RunningProcess | undefined;

interface Conditioned {
  metadata: { generation?: number };
  status?: { conditions?: { type: string; status: string; reason: string; observedGeneration?: number }[] };
}

async function waitForReady(type: ResourceType, name: string, conditionType = "Ready"): Promise<void> {
  let last: Conditioned | undefined;
  await waitUntil(
    async () => {
      last = await admin.get<Conditioned>(objectPath(type, sharingNamespace, name));
      const found = last.status?.conditions?.find((each) => each.type === conditionType);
      return found?.status === "True" && found.observedGeneration === last.metadata.generation;
    },
    {
      timeoutMs: 60_000,
      what: `${type.kind} ${name} ${conditionType}=True; last ${JSON.stringify(last?.status)}`,
    },
  );
}

async function gone(path: string): Promise<boolean> {
  try {
    await admin.get(path);
    return false;
  } catch (error) {
    if ((error as { status?: number }).status === 404) return true;
    throw error;
  }
}

const allowed = (attributes: ResourceAttributes) =>
  serviceAccountMay(admin, { namespace: operatorNamespace, name: serviceAccount }, attributes);

async function chartCrds(): Promise<Manifest[]> {
  const names = ["deltasharingservers", "deltashares", "deltarecipients"].map(
    (plural) => `${plural}.sharing.delta-sharing-operator.dev.yaml`,
  );
  return Promise.all(
    names.map(async (name) => parse(await readFile(join(chartDir, "crds", name), "utf8")) as Manifest),
  );
}

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), "dso-chart-rbac-"));
  const [ground, image] = await Promise.all([startKube(), cachedImage()]);
  kube = ground;
  admin = createKubeClient(kube.kubeConfig);
  for (const crd of await chartCrds())
    await applyManifest(admin, crd, { namespace: operatorNamespace, dryRun: false });
  for (const name of [operatorNamespace, sharingNamespace]) {
    await applyManifest(
      admin,
      { apiVersion: "v1", kind: "Namespace", metadata: { name } },
      { namespace: name, dryRun: false },
    );
  }
  await waitUntil(
    async () => {
      for (const crd of await chartCrds()) {
        const stored = await admin.get<{ status?: { conditions?: { type: string; status: string }[] } }>(
          `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`,
        );
        if (!stored.status?.conditions?.some((each) => each.type === "Established" && each.status === "True"))
          return false;
      }
      return true;
    },
    { timeoutMs: 30_000, what: "the chart's CRDs to be established" },
  );

  const healthPort = await freePort();
  const objects = await renderChart(release, operatorNamespace, {
    health: { bindAddress: "127.0.0.1", port: healthPort },
    image: { repository: "registry.example.com/delta-sharing-operator", tag: "test" },
  });
  for (const object of objects)
    await applyManifest(admin, object, { namespace: operatorNamespace, dryRun: false });

  // what the kubelet mounts for the pod: a token of its ServiceAccount, the cluster CA, the namespace
  const request = await admin.create<{ status: { token: string } }>(
    `/api/v1/namespaces/${operatorNamespace}/serviceaccounts/${serviceAccount}/token`,
    { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 3600 } },
  );
  const tokenDir = join(scratch, "serviceaccount");
  await mkdir(tokenDir);
  const caData = kube.kubeConfig.getCurrentCluster()?.caData ?? "";
  const files = {
    token: request.status.token,
    "ca.crt": Buffer.from(caData, "base64").toString(),
    namespace: operatorNamespace,
  };
  for (const [name, content] of Object.entries(files)) {
    await writeFile(join(tokenDir, name), content);
    await chown(join(tokenDir, name), 0, nonRoot);
    await chmod(join(tokenDir, name), 0o440);
  }
  await chmod(scratch, 0o755);

  const deployment = objects.find((object) => object.kind === "Deployment") as unknown as {
    spec: {
      template: {
        spec: {
          serviceAccountName: string;
          securityContext: { runAsUser: number };
          containers: {
            command?: string[];
            args: string[];
            env: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
          }[];
        };
      };
    };
  };
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  assert.ok(container);
  assert.equal(pod.serviceAccountName, serviceAccount);
  assert.equal(`${pod.securityContext.runAsUser}:${pod.securityContext.runAsUser}`, image.config.user);
  const fieldValues: Record<string, string> = {
    "metadata.namespace": operatorNamespace,
    "metadata.name": "dso-operator-0",
  };
  const env = Object.fromEntries(
    container.env.map((each) => [
      each.name,
      each.value ?? fieldValues[each.valueFrom?.fieldRef?.fieldPath ?? ""] ?? "",
    ]),
  );
  const server = new URL(kube.server);
  operator = await startContainer({
    name: "chart operator",
    root: image.root,
    image: image.config,
    ...(container.command !== undefined ? { command: container.command } : {}),
    args: container.args,
    env: { ...env, KUBERNETES_SERVICE_HOST: server.hostname, KUBERNETES_SERVICE_PORT: server.port },
    volumeMounts: [
      { hostPath: tokenDir, mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true },
    ],
    ready: async () =>
      (await fetch(`http://127.0.0.1:${healthPort}/healthz`, { signal: AbortSignal.timeout(2000) })).ok,
    readyTimeoutMs: 60_000,
  });
  await waitUntil(async () => (await fetch(`http://127.0.0.1:${healthPort}/readyz`)).ok, {
    timeoutMs: 60_000,
    what: "the operator to lead with its caches filled",
  });
});

after(async () => {
  await operator?.stop();
  await kube?.stop();
  await rm(scratch, { recursive: true, force: true });
});

test("the operator takes examples/share.yaml to Ready with only the chart's permissions", async () => {
  for (const object of exampleObjects()) {
    await applyManifest(
      admin,
      { ...object, metadata: { ...object.metadata, namespace: sharingNamespace } } as Manifest,
      {
        namespace: sharingNamespace,
        dryRun: false,
        fieldManager: "kubectl",
      },
    );
  }
  // no kubelet here runs the server's pods: everything is in the written configuration (which the
  // operator learnt while listing pods under the chart's rules), but nothing is Ready to read
  await waitForReady(resourceTypes.recipient, "analytics-partner", "Accepted");
  await waitForReady(resourceTypes.recipient, "city-auditor", "Accepted");
  await waitForReady(resourceTypes.share, "mobility", "Served");
  const partner = await admin.get<Conditioned>(
    objectPath(resourceTypes.recipient, sharingNamespace, "analytics-partner"),
  );
  const ready = partner.status?.conditions?.find((each) => each.type === "Ready");
  assert.deepEqual([ready?.status, ready?.reason], ["Unknown", "WaitingForPods"]);
  await waitForReady(resourceTypes.server, "sharing", "ConfigRendered");
  for (const [type, name] of [
    [resourceTypes.serviceAccount, "sharing"],
    [resourceTypes.service, "sharing"],
    [resourceTypes.deployment, "sharing"],
    [resourceTypes.podDisruptionBudget, "sharing"],
    [resourceTypes.secret, "sharing-config"],
    [resourceTypes.secret, "analytics-partner-share-profile"],
  ] as const) {
    assert.equal(await gone(objectPath(type, sharingNamespace, name)), false, `${type.kind} ${name}`);
  }
  const events = await admin.list<{ reason: string }>(`/api/v1/namespaces/${sharingNamespace}/events`);
  assert.ok(events.items.length > 0, "the operator records events");
  assert.doesNotMatch(operator?.output() ?? "", /forbidden|\b403\b/i);
});

test("it releases a deleted recipient and deletes the PodDisruptionBudget a spec drops, still never refused", async () => {
  await admin.delete(objectPath(resourceTypes.recipient, sharingNamespace, "city-auditor"));
  await waitUntil(() => gone(objectPath(resourceTypes.recipient, sharingNamespace, "city-auditor")), {
    timeoutMs: 60_000,
    what: "the recipient's finalizer to be released",
  });

  const server = exampleObjects().find((object) => object.kind === "DeltaSharingServer");
  assert.ok(server);
  const { podDisruptionBudget: _dropped, ...spec } = server.spec;
  await applyManifest(
    admin,
    { ...server, metadata: { ...server.metadata, namespace: sharingNamespace }, spec } as Manifest,
    { namespace: sharingNamespace, dryRun: false, fieldManager: "kubectl" },
  );
  await waitUntil(() => gone(objectPath(resourceTypes.podDisruptionBudget, sharingNamespace, "sharing")), {
    timeoutMs: 60_000,
    what: "the operator to delete the PodDisruptionBudget",
  });
  assert.doesNotMatch(operator?.output() ?? "", /forbidden|\b403\b/i);
});

const spendLease = (name: string, expiresAt: string | undefined, labelled = true) => ({
  apiVersion: "coordination.k8s.io/v1",
  kind: "Lease",
  metadata: {
    name,
    ...(labelled ? { labels: { "app.kubernetes.io/managed-by": "delta-sharing-operator" } } : {}),
    ...(expiresAt
      ? { annotations: { "sharing.delta-sharing-operator.dev/link-expires-at": expiresAt } }
      : {}),
  },
  spec: { holderIdentity: "analytics-partner" },
});

test("an activation link binds the server to the chart's Lease role and mounts its token, the last one takes both away; only spends of expired links are deleted", async () => {
  const partner = exampleObjects().find((object) => object.metadata.name === "analytics-partner");
  assert.ok(partner);
  const inSharing = (spec: object) =>
    ({ ...partner, metadata: { ...partner.metadata, namespace: sharingNamespace }, spec }) as Manifest;
  // spends as server pods leave them: of a link long expired (deleted), of one still valid, one
  // another party labelled differently, one without a readable expiry (all three kept)
  const lease = (hex: string) => `dso-activation-${hex.repeat(32)}`;
  const seeded = {
    expired: spendLease(lease("0f"), "2026-01-01T00:00:00Z"),
    valid: spendLease(lease("1e"), "2099-01-01T00:00:00Z"),
    foreign: spendLease(lease("2d"), "2026-01-01T00:00:00Z", false),
    unreadable: spendLease(lease("3c"), undefined),
  };
  for (const each of Object.values(seeded)) {
    await admin.create(`/apis/coordination.k8s.io/v1/namespaces/${sharingNamespace}/leases`, each);
  }
  const leasePath = (name: string) => objectPath(resourceTypes.lease, sharingNamespace, name);
  const bindingPath = objectPath(resourceTypes.roleBinding, sharingNamespace, "sharing-activation");
  const mountsToken = async () => {
    const deployment = await admin.get<{ spec: { template: { spec: { volumes?: { name: string }[] } } } }>(
      objectPath(resourceTypes.deployment, sharingNamespace, "sharing"),
    );
    return deployment.spec.template.spec.volumes?.some((volume) => volume.name === "kube-api") ?? false;
  };
  const apply = (spec: object) =>
    applyManifest(admin, inSharing(spec), {
      namespace: sharingNamespace,
      dryRun: false,
      fieldManager: "kubectl",
    });

  await apply({ ...partner.spec, activation: {} });
  await waitUntil(async () => !(await gone(bindingPath)) && (await mountsToken()), {
    timeoutMs: 60_000,
    what: "the server's activation RoleBinding and API token",
  });
  const binding = await admin.get<{ roleRef: { kind: string; name: string } }>(bindingPath);
  assert.deepEqual(
    [binding.roleRef.kind, binding.roleRef.name],
    ["ClusterRole", `${release}-delta-sharing-operator-activation`],
  );
  const role = await admin.get<{ rules: unknown }>(
    objectPath(resourceTypes.clusterRole, undefined, binding.roleRef.name),
  );
  assert.deepEqual(role.rules, leaseStoreRules, "the chart's role is the server's own definition");
  await waitUntil(() => gone(leasePath(seeded.expired.metadata.name)), {
    timeoutMs: 60_000,
    what: "the expired link's Lease to be deleted",
  });
  for (const kept of [seeded.valid, seeded.foreign, seeded.unreadable]) {
    assert.equal(await gone(leasePath(kept.metadata.name)), false, kept.metadata.name);
  }

  await apply(partner.spec);
  await waitUntil(async () => (await gone(bindingPath)) && !(await mountsToken()), {
    timeoutMs: 60_000,
    what: "the RoleBinding and API token to go with the last link",
  });
  assert.equal(await gone(leasePath(seeded.valid.metadata.name)), false, "a valid link's spend stays");
  assert.doesNotMatch(operator?.output() ?? "", /forbidden|\b403\b/i);
});

test("the chart's ServiceAccount is refused what the operator never does", async () => {
  const granted: ResourceAttributes[] = [
    { verb: "watch", resource: "secrets", namespace: sharingNamespace },
    { verb: "patch", group: "apps", resource: "deployments", namespace: sharingNamespace },
    { verb: "list", resource: "pods", namespace: sharingNamespace },
    { verb: "watch", resource: "pods", namespace: sharingNamespace },
    { verb: "create", group: "networking.k8s.io", resource: "ingresses", namespace: sharingNamespace },
    {
      verb: "update",
      group: "coordination.k8s.io",
      resource: "leases",
      namespace: operatorNamespace,
      name: "delta-sharing-operator",
    },
    // activation links: servers' RoleBindings to the chart's Lease role, spent links' Leases
    {
      verb: "create",
      group: "rbac.authorization.k8s.io",
      resource: "rolebindings",
      namespace: sharingNamespace,
    },
    {
      verb: "bind",
      group: "rbac.authorization.k8s.io",
      resource: "clusterroles",
      name: `${release}-delta-sharing-operator-activation`,
    },
    { verb: "delete", group: "coordination.k8s.io", resource: "leases", namespace: sharingNamespace },
  ];
  for (const attributes of granted) assert.equal(await allowed(attributes), true, JSON.stringify(attributes));
  const refused: ResourceAttributes[] = [
    { verb: "delete", resource: "secrets", namespace: sharingNamespace },
    { verb: "update", resource: "secrets", namespace: sharingNamespace },
    { verb: "delete", resource: "pods", namespace: sharingNamespace },
    { verb: "create", resource: "pods", subresource: "exec", namespace: sharingNamespace },
    { verb: "get", resource: "pods", subresource: "proxy", namespace: sharingNamespace },
    { verb: "get", resource: "configmaps", namespace: sharingNamespace },
    { verb: "delete", group: "apps", resource: "deployments", namespace: sharingNamespace },
    // it binds that one role and makes none: no other role to bind, none to write or widen
    { verb: "bind", group: "rbac.authorization.k8s.io", resource: "clusterroles", name: "cluster-admin" },
    { verb: "bind", group: "rbac.authorization.k8s.io", resource: "roles", namespace: sharingNamespace },
    { verb: "escalate", group: "rbac.authorization.k8s.io", resource: "roles", namespace: sharingNamespace },
    { verb: "create", group: "rbac.authorization.k8s.io", resource: "roles", namespace: sharingNamespace },
    { verb: "create", group: "rbac.authorization.k8s.io", resource: "clusterroles" },
    { verb: "create", group: "rbac.authorization.k8s.io", resource: "clusterrolebindings" },
    { verb: "create", group: "coordination.k8s.io", resource: "leases", namespace: sharingNamespace },
    {
      verb: "delete",
      group: "sharing.delta-sharing-operator.dev",
      resource: "deltashares",
      namespace: sharingNamespace,
    },
    {
      verb: "update",
      group: "coordination.k8s.io",
      resource: "leases",
      namespace: operatorNamespace,
      name: "another-lease",
    },
    { verb: "update", group: "coordination.k8s.io", resource: "leases", namespace: sharingNamespace },
    { verb: "get", group: "apiextensions.k8s.io", resource: "customresourcedefinitions" },
  ];
  for (const attributes of refused)
    assert.equal(await allowed(attributes), false, JSON.stringify(attributes));
});
