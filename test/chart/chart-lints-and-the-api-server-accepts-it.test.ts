// The Helm chart lints (strict) with its default values and with every option switched on, its
// values schema refuses a wrong value, its CRDs are the generated ones, and what it renders is
// accepted by a real kube-apiserver in a server-side dry run (validation and admission, nothing
// stored), with the chart's CRDs installed for real first; examples/share.yaml validates against them.
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parse, parseAllDocuments } from "yaml";
import { createKubeClient, type KubeClient } from "../../operator/kube/client.ts";
import { type KubeGround, startKube } from "../ground/kube.ts";
import { kubeVersions } from "../ground/kube-tools.ts";
import { repoRoot } from "../ground/paths.ts";
import { waitUntil } from "../ground/wait.ts";
import { applyManifest, chartDir, helm, type Manifest, renderChart } from "./helm.ts";

const namespace = "dso-system";
const watched = "sharing-team";
const digest = `sha256:${"ab".repeat(32)}`;

const variants: Record<string, object> = {
  defaults: {},
  "one namespace, two replicas, by digest, ServiceMonitor": {
    watchNamespace: watched,
    replicaCount: 2,
    image: { repository: "registry.example.com/dso", digest },
    serverImage: "registry.example.com/dso-server:1.2.3",
    metrics: { serviceMonitor: { enabled: true, labels: { release: "prometheus" } } },
    serviceAccount: { annotations: { "example.com/owner": "data-platform" } },
    podAnnotations: { "example.com/team": "data" },
    nodeSelector: { "kubernetes.io/os": "linux" },
    tolerations: [{ key: "dedicated", operator: "Equal", value: "platform", effect: "NoSchedule" }],
    priorityClassName: "system-cluster-critical",
  },
  "no leader election, no aggregated roles, no activation links, existing ServiceAccount": {
    leaderElection: { enabled: false },
    activationLinks: { enabled: false },
    rbac: { aggregateToDefaultRoles: false },
    serviceAccount: { create: false, name: "platform-operator" },
    metrics: { service: { enabled: false } },
  },
};

// A stand-in for the Prometheus Operator's CRD: the API server then checks the ServiceMonitor's
// kind, group and metadata; its spec is checked by the assertions below.
const serviceMonitorCrd = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "servicemonitors.monitoring.coreos.com" },
  spec: {
    group: "monitoring.coreos.com",
    scope: "Namespaced",
    names: {
      kind: "ServiceMonitor",
      plural: "servicemonitors",
      singular: "servicemonitor",
      listKind: "ServiceMonitorList",
    },
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
      },
    ],
  },
};

let kube: KubeGround;
let client: KubeClient;

async function chartCrds(): Promise<Manifest[]> {
  const dir = join(chartDir, "crds");
  const names = (await readdir(dir)).filter((name) => name.endsWith(".yaml")).sort();
  return Promise.all(names.map(async (name) => parse(await readFile(join(dir, name), "utf8")) as Manifest));
}

async function lint(values: object): Promise<{ ok: boolean; output: string }> {
  const dir = await mkdtemp(join(tmpdir(), "dso-lint-"));
  try {
    await writeFile(join(dir, "values.json"), JSON.stringify(values));
    const args = [
      "lint",
      "--strict",
      chartDir,
      "--kube-version",
      kubeVersions.kubernetes,
      "--values",
      join(dir, "values.json"),
    ];
    const { stdout, stderr } = await helm(args);
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${failure.stdout ?? ""}${failure.stderr ?? ""}` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const find = (objects: Manifest[], kind: string, name?: string) =>
  objects.filter((object) => object.kind === kind && (name === undefined || object.metadata.name === name));

before(async () => {
  kube = await startKube();
  client = createKubeClient(kube.kubeConfig);
  for (const crd of [...(await chartCrds()), serviceMonitorCrd as unknown as Manifest]) {
    await applyManifest(client, crd, { namespace, dryRun: false });
  }
  await waitUntil(
    async () => {
      for (const crd of [...(await chartCrds()), serviceMonitorCrd as unknown as Manifest]) {
        const stored = await client.get<{ status?: { conditions?: { type: string; status: string }[] } }>(
          `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`,
        );
        if (!stored.status?.conditions?.some((each) => each.type === "Established" && each.status === "True"))
          return false;
      }
      return true;
    },
    { timeoutMs: 30_000, what: "the CRDs to be established" },
  );
  for (const name of [namespace, watched]) {
    await applyManifest(
      client,
      { apiVersion: "v1", kind: "Namespace", metadata: { name } },
      { namespace, dryRun: false },
    );
  }
});

after(async () => {
  await kube?.stop();
});

describe("the Helm chart", () => {
  test("packages exactly the generated CRDs", async () => {
    const generated = (await readdir(join(repoRoot, "crds"))).filter((name) => name.endsWith(".yaml")).sort();
    const packaged = (await readdir(join(chartDir, "crds"))).filter((name) => name.endsWith(".yaml")).sort();
    assert.deepEqual(packaged, generated, "run node scripts/sync-chart-crds.ts");
    for (const name of generated) {
      const [source, copy] = await Promise.all([
        readFile(join(repoRoot, "crds", name), "utf8"),
        readFile(join(chartDir, "crds", name), "utf8"),
      ]);
      assert.equal(
        copy,
        source,
        `charts/delta-sharing-operator/crds/${name} is stale: run node scripts/sync-chart-crds.ts`,
      );
    }
  });

  for (const [variant, values] of Object.entries(variants)) {
    test(`lints strictly with ${variant}`, async () => {
      const result = await lint(values);
      assert.ok(result.ok, result.output);
      assert.match(result.output, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    });
  }

  test("refuses values its schema does not allow", async () => {
    for (const values of [
      { logLevel: "loud" },
      { imageTag: "1.0" },
      { image: { digest: "latest" } },
      { resync: "often" },
    ]) {
      const result = await lint(values);
      assert.equal(result.ok, false, `accepted ${JSON.stringify(values)}`);
      assert.match(result.output, /values don't meet the specifications of the schema/);
    }
  });

  for (const [variant, values] of Object.entries(variants)) {
    test(`renders manifests the API server accepts in a server-side dry run: ${variant}`, async () => {
      const objects = await renderChart("dso", namespace, values);
      assert.ok(find(objects, "Deployment").length === 1 && objects.length >= 3);
      for (const object of objects) {
        const admitted = await applyManifest(client, object, { namespace, dryRun: true });
        assert.equal(admitted.kind, object.kind);
        assert.equal(admitted.metadata.name, object.metadata.name);
      }
      // a dry run stores nothing
      const deployment = find(objects, "Deployment")[0];
      await assert.rejects(
        client.get(`/apis/apps/v1/namespaces/${namespace}/deployments/${deployment?.metadata.name}`),
        (error: { status?: number }) => error.status === 404,
      );
    });
  }

  test("runs the operator non-root on a read-only root with leader election and least-privilege rules", async () => {
    const objects = await renderChart("dso", namespace);
    const [deployment] = find(objects, "Deployment") as unknown as {
      spec: {
        template: {
          spec: {
            serviceAccountName: string;
            securityContext: Record<string, unknown>;
            containers: {
              image: string;
              args: string[];
              env: { name: string; value?: string }[];
              securityContext: Record<string, unknown>;
            }[];
          };
        };
      };
    }[];
    const pod = deployment?.spec.template.spec;
    const container = pod?.containers[0];
    assert.deepEqual(pod?.securityContext, {
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      fsGroup: 65532,
      seccompProfile: { type: "RuntimeDefault" },
    });
    assert.deepEqual(container?.securityContext, {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
    });
    assert.equal(container?.image, "ghcr.io/delta-sharing-operator/delta-sharing-operator:0.1.0");
    assert.equal(container?.args[0], "operator");
    assert.ok(container?.args.includes("--leader-elect=true"));
    assert.equal(container?.env.find((each) => each.name === "DSO_SERVER_IMAGE")?.value, container?.image);

    const [role] = find(objects, "ClusterRole", "dso-delta-sharing-operator") as unknown as {
      rules: { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }[];
    }[];
    const granted = role?.rules.flatMap((rule) =>
      rule.resources.flatMap((resource) =>
        rule.verbs.map((verb) => `${rule.apiGroups[0]}/${resource}:${verb}`),
      ),
    );
    // never a wildcard, never a verb on a resource the operator leaves alone
    assert.ok(granted?.every((entry) => !entry.includes("*")));
    // pods only read: the operator asks their ops port what they serve, and never changes them
    assert.deepEqual(
      granted?.filter((entry) => entry.startsWith("/pods:")),
      ["/pods:get", "/pods:list", "/pods:watch"],
    );
    for (const forbidden of [
      "/pods:create",
      "/pods:delete",
      "/pods:patch",
      "/pods/exec",
      "/pods/proxy",
      "/configmaps:",
      "/nodes:",
      "/secrets:delete",
      "/secrets:update",
      "apps/deployments:delete",
    ]) {
      assert.ok(!granted?.some((entry) => entry.includes(forbidden)), `grants ${forbidden}`);
    }
    const [leases] = find(objects, "Role", "dso-delta-sharing-operator-leader-election") as unknown as {
      metadata: { namespace: string };
      rules: { resources: string[]; verbs: string[]; resourceNames?: string[] }[];
    }[];
    assert.equal(leases?.metadata.namespace, namespace);
    assert.deepEqual(
      leases?.rules.map((rule) => [rule.verbs, rule.resourceNames]),
      [
        [["create"], undefined],
        [["get", "update"], ["delta-sharing-operator"]],
      ],
    );
  });

  test("watching one namespace grants a Role there and no cluster-wide rules", async () => {
    const objects = await renderChart("dso", namespace, { watchNamespace: watched });
    // ClusterRoles only as definitions: aggregated into the user-facing roles, and the Lease role
    // the operator binds in a server's namespace; no ClusterRoleBinding grants anything cluster-wide
    assert.deepEqual(
      find(objects, "ClusterRole").map((each) => each.metadata.name),
      [
        "dso-delta-sharing-operator-activation",
        "dso-delta-sharing-operator-view",
        "dso-delta-sharing-operator-edit",
      ],
    );
    assert.deepEqual(find(objects, "ClusterRoleBinding"), []);
    assert.equal(find(objects, "Role", "dso-delta-sharing-operator")[0]?.metadata.namespace, watched);
    assert.equal(find(objects, "RoleBinding", "dso-delta-sharing-operator")[0]?.metadata.namespace, watched);
    const deployment = JSON.stringify(find(objects, "Deployment")[0]);
    assert.ok(deployment.includes(`--namespace=${watched}`));
  });

  test("the ServiceMonitor scrapes the metrics Service's port", async () => {
    const objects = await renderChart("dso", namespace, { metrics: { serviceMonitor: { enabled: true } } });
    const [monitor] = find(objects, "ServiceMonitor") as unknown as {
      spec: {
        selector: { matchLabels: Record<string, string> };
        endpoints: { port: string; path: string }[];
      };
    }[];
    const [service] = find(objects, "Service") as unknown as {
      metadata: { labels: Record<string, string> };
      spec: { ports: { name: string }[] };
    }[];
    assert.ok(monitor && service);
    for (const [key, value] of Object.entries(monitor.spec.selector.matchLabels)) {
      assert.equal(service.metadata.labels[key], value);
    }
    assert.deepEqual(
      monitor.spec.endpoints.map((each) => [each.port, each.path]),
      [[service.spec.ports[0]?.name, "/metrics"]],
    );
  });

  test("examples/share.yaml validates against the chart's CRDs", async () => {
    const text = await readFile(join(repoRoot, "examples", "share.yaml"), "utf8");
    const objects = parseAllDocuments(text).map((document) => document.toJS() as Manifest);
    assert.deepEqual(
      [...new Set(objects.map((object) => object.kind))],
      ["DeltaSharingServer", "DeltaShare", "DeltaRecipient"],
    );
    for (const object of objects) await applyManifest(client, object, { namespace: "default", dryRun: true });
  });
});
