import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderConfigSecret, signingKeyOf } from "../../operator/render/configSecret.ts";
import { configMountPath, renderDeployment } from "../../operator/render/deployment.ts";
import { profileEndpoint } from "../../operator/render/endpoint.ts";
import { renderPodDisruptionBudget } from "../../operator/render/podDisruptionBudget.ts";
import { renderService } from "../../operator/render/service.ts";
import { irsaAnnotation, renderServiceAccount } from "../../operator/render/serviceAccount.ts";
import { example, server } from "./resources.ts";

const options = { defaultImage: "registry.example/dso:1" };

describe("a server's rendered objects", () => {
  it("Deployment: non-root, read-only root filesystem, probes on the health routes", () => {
    const deployment = renderDeployment(example().server, options);
    const pod = deployment.spec?.template.spec;
    const container = pod?.containers[0];
    assert.equal(deployment.spec?.replicas, 2);
    assert.equal(pod?.securityContext?.runAsNonRoot, true);
    assert.equal(pod?.automountServiceAccountToken, false);
    assert.equal(pod?.serviceAccountName, "sharing");
    assert.deepEqual(container?.securityContext, {
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    // the probes use the ops port; recipients reach only the data port
    assert.equal(container?.livenessProbe?.httpGet?.path, "/livez");
    assert.equal(container?.livenessProbe?.httpGet?.port, "ops");
    assert.equal(container?.readinessProbe?.httpGet?.path, "/readyz");
    assert.equal(container?.readinessProbe?.httpGet?.port, "ops");
    assert.deepEqual(container?.ports, [
      { name: "http", containerPort: 8080, protocol: "TCP" },
      { name: "ops", containerPort: 9090, protocol: "TCP" },
    ]);
    assert.equal(container?.image, "registry.example/dso:1");
    assert.deepEqual(container?.command, ["node", "server/main.ts"]);
    assert.deepEqual(container?.args, ["--config", "/etc/delta-sharing/config.yaml"]);
  });

  it("Deployment: the config Secret mounted whole (no subPath), so the kubelet's symlink swap reaches the server", () => {
    const deployment = renderDeployment(example().server, options);
    const pod = deployment.spec?.template.spec;
    const mount = pod?.containers[0]?.volumeMounts?.find((each) => each.mountPath === configMountPath);
    assert.ok(mount);
    assert.equal(mount.subPath, undefined);
    assert.equal(mount.readOnly, true);
    assert.deepEqual(pod?.volumes?.find((volume) => volume.name === mount.name)?.secret, {
      secretName: "sharing-config",
      defaultMode: 0o440,
    });
  });

  it("Deployment: resource defaults, overridden field by field", () => {
    const defaults = renderDeployment(server("s"), options).spec?.template.spec?.containers[0]?.resources;
    assert.deepEqual(defaults, { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } });
    const custom = renderDeployment(server("s", { resources: { limits: { cpu: 2 } } }), options).spec
      ?.template.spec?.containers[0]?.resources;
    assert.deepEqual(custom?.limits, { memory: "512Mi", cpu: 2 });
  });

  it("Deployment: the pod template does not depend on shares or recipients (no rolling restart on change)", () => {
    const { server: theServer } = example();
    const a = renderDeployment(theServer, options);
    const b = renderDeployment({ ...theServer, status: { shares: 9, recipients: 9 } }, options);
    assert.deepEqual(a, b);
    const text = JSON.stringify(a);
    assert.ok(!text.includes("mobility") && !text.includes("analytics-partner"));
  });

  it("Deployment: what a reload cannot change (address, port, path) is in the pod template, so it rolls the pods", () => {
    const template = (spec: Parameters<typeof server>[1]) =>
      renderDeployment(server("s", spec), options).spec?.template.metadata?.annotations;
    assert.deepEqual(template({}), {
      "sharing.delta-sharing-operator.dev/listen": "0.0.0.0:8080/delta-sharing ops 9090",
    });
    assert.deepEqual(
      template({ bindAddress: "::", port: 9000, endpointPath: "/ds", podAnnotations: { a: "b" } }),
      {
        a: "b",
        "sharing.delta-sharing-operator.dev/listen": "[::]:9000/ds ops 9090",
      },
    );
    assert.deepEqual(
      template({ logLevel: "debug", publicUrl: "https://x.example", presignedUrlTtlSeconds: 60 }),
      template({}),
    );
  });

  it("Deployment: pod labels, annotations, scheduling passed through; selector labels cannot be overridden", () => {
    const deployment = renderDeployment(
      server("s", {
        podLabels: { team: "data", "app.kubernetes.io/instance": "other" },
        podAnnotations: { "prometheus.io/scrape": "true" },
        nodeSelector: { "kubernetes.io/arch": "arm64" },
        tolerations: [{ key: "dedicated", operator: "Equal", value: "data", effect: "NoSchedule" }],
        affinity: { podAntiAffinity: {} },
      }),
      options,
    );
    const template = deployment.spec?.template;
    assert.equal(template?.metadata?.labels?.team, "data");
    assert.equal(template?.metadata?.labels?.["app.kubernetes.io/instance"], "s");
    assert.deepEqual(deployment.spec?.selector.matchLabels, {
      "app.kubernetes.io/name": "delta-sharing-server",
      "app.kubernetes.io/instance": "s",
    });
    assert.equal(template?.metadata?.annotations?.["prometheus.io/scrape"], "true");
    assert.deepEqual(template?.spec?.nodeSelector, { "kubernetes.io/arch": "arm64" });
    assert.equal(template?.spec?.tolerations?.[0]?.key, "dedicated");
    assert.deepEqual(template?.spec?.affinity, { podAntiAffinity: {} });
  });

  it("ServiceAccount: the IRSA role as eks.amazonaws.com/role-arn; nothing for Pod Identity", () => {
    assert.deepEqual(renderServiceAccount(example().server).metadata?.annotations, {
      [irsaAnnotation]: "arn:aws:iam::111122223333:role/delta-sharing-reader",
    });
    assert.equal(
      renderServiceAccount(server("s", { aws: { podIdentity: true } })).metadata?.annotations,
      undefined,
    );
    assert.equal(renderServiceAccount(server("s")).automountServiceAccountToken, false);
  });

  it("Service: type and port from the spec, to the pods' named http port", () => {
    const service = renderService(
      server("s", { service: { type: "LoadBalancer", port: 443, annotations: { a: "b" } } }),
    );
    assert.equal(service.spec?.type, "LoadBalancer");
    assert.deepEqual(service.spec?.ports, [{ name: "http", port: 443, targetPort: "http", protocol: "TCP" }]);
    assert.deepEqual(service.metadata?.annotations, { a: "b" });
    assert.equal(renderService(server("s")).spec?.type, "ClusterIP");
  });

  it("PodDisruptionBudget: only when asked for", () => {
    assert.equal(renderPodDisruptionBudget(server("s")), undefined);
    assert.deepEqual(renderPodDisruptionBudget(example().server)?.spec, {
      selector: {
        matchLabels: {
          "app.kubernetes.io/name": "delta-sharing-server",
          "app.kubernetes.io/instance": "sharing",
        },
      },
      minAvailable: 1,
    });
  });

  it("every object is controlled by the server and labelled as the operator's", () => {
    const theServer = example().server;
    const objects = [
      renderDeployment(theServer, options),
      renderService(theServer),
      renderServiceAccount(theServer),
      renderPodDisruptionBudget(theServer),
      renderConfigSecret(theServer, "version: 1\n", "k".repeat(64)),
    ];
    for (const object of objects) {
      assert.deepEqual(object?.metadata?.ownerReferences, [
        {
          apiVersion: "sharing.delta-sharing-operator.dev/v1alpha1",
          kind: "DeltaSharingServer",
          name: "sharing",
          uid: theServer.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      assert.equal(object?.metadata?.labels?.["app.kubernetes.io/managed-by"], "delta-sharing-operator");
      assert.equal(object?.metadata?.namespace, "team");
    }
  });

  it("config Secret: the file and the signing key, which is read back to be kept", () => {
    const secret = renderConfigSecret(server("s"), "version: 1\n", "k".repeat(64));
    assert.deepEqual(Object.keys(secret.data ?? {}), ["config.yaml", "signing-key"]);
    assert.equal(signingKeyOf(secret), "k".repeat(64));
  });

  it("profiles name publicUrl + endpointPath, else the Service's in-cluster address", () => {
    assert.equal(profileEndpoint(example().server), "https://sharing.example.com/delta-sharing");
    assert.equal(
      profileEndpoint(server("s", { service: { port: 80 } })),
      "http://s.team.svc:80/delta-sharing",
    );
    assert.equal(
      profileEndpoint(server("s", { publicUrl: "https://x.example/base", endpointPath: "/ds/" })),
      "https://x.example/base/ds",
    );
  });
});
