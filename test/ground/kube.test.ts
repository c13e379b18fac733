import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type V1CustomResourceDefinition,
  Watch,
} from "@kubernetes/client-node";
import { type KubeGround, startKube } from "./kube.ts";
import { waitUntil } from "./wait.ts";

const group = "test.example.com";
const version = "v1";
const plural = "gadgets";
const namespace = "default";

const gadgetDefinition: V1CustomResourceDefinition = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: `${plural}.${group}` },
  spec: {
    group,
    scope: "Namespaced",
    names: { plural, singular: "gadget", kind: "Gadget", listKind: "GadgetList" },
    versions: [
      {
        name: version,
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: { type: "object", properties: { size: { type: "integer" } }, required: ["size"] },
            },
          },
        },
      },
    ],
  },
};

function gadget(name: string, size: number): object {
  return { apiVersion: `${group}/${version}`, kind: "Gadget", metadata: { name }, spec: { size } };
}

interface Gadget {
  metadata: { name: string; uid: string };
  spec: { size: number };
}

async function nextAddedEvent(
  kube: KubeGround,
  name: string,
  create: () => Promise<unknown>,
): Promise<Gadget> {
  const path = `/apis/${group}/${version}/namespaces/${namespace}/${plural}`;
  let abort: AbortController | undefined;
  const timeout = AbortSignal.timeout(30_000);
  try {
    const event = new Promise<Gadget>((resolve, reject) => {
      timeout.addEventListener("abort", () => reject(new Error(`no ADDED event for ${name} in 30 s`)));
      new Watch(kube.kubeConfig)
        .watch(
          path,
          {},
          (phase, object: Gadget) => {
            if (phase === "ADDED" && object.metadata.name === name) resolve(object);
          },
          (error) => reject(error ?? new Error("watch ended before the event")),
        )
        .then((controller) => {
          abort = controller;
        }, reject);
    });
    event.catch(() => undefined); // settled later; keeps an early failure below from leaving it unhandled
    // The watch request is sent once Watch.watch resolves; creating before then could miss the event.
    await waitUntil(() => abort !== undefined, {
      timeoutMs: 10_000,
      intervalMs: 20,
      what: "the watch to open",
    });
    await create();
    return await event;
  } finally {
    abort?.abort();
  }
}

describe("the Kubernetes test ground", () => {
  let kube: KubeGround;

  before(async () => {
    kube = await startKube();
    console.log(`kube-apiserver ready in ${kube.startupMs} ms at ${kube.server}`);
  });

  after(async () => {
    await kube?.stop();
  });

  it("serves the default namespace to the admin token", async () => {
    const core = kube.kubeConfig.makeApiClient(CoreV1Api);
    const found = await core.readNamespace({ name: "default" });
    assert.equal(found.metadata?.name, "default");
  });

  it("establishes a CustomResourceDefinition and stores, reads and watches its objects", async () => {
    const extensions = kube.kubeConfig.makeApiClient(ApiextensionsV1Api);
    const objects = kube.kubeConfig.makeApiClient(CustomObjectsApi);

    await extensions.createCustomResourceDefinition({ body: gadgetDefinition });
    await waitUntil(
      async () => {
        const current = await extensions.readCustomResourceDefinition({ name: `${plural}.${group}` });
        return (current.status?.conditions ?? []).some(
          (c) => c.type === "Established" && c.status === "True",
        );
      },
      { timeoutMs: 30_000, intervalMs: 200, what: "the Gadget CRD to be Established" },
    );

    const created: Gadget = await objects.createNamespacedCustomObject({
      group,
      version,
      namespace,
      plural,
      body: gadget("first", 3),
    });
    assert.equal(created.metadata.name, "first");
    assert.ok(created.metadata.uid, "the stored object has a uid");

    const read: Gadget = await objects.getNamespacedCustomObject({
      group,
      version,
      namespace,
      plural,
      name: "first",
    });
    assert.equal(read.metadata.uid, created.metadata.uid);
    assert.deepEqual(read.spec, { size: 3 });

    const watched = await nextAddedEvent(kube, "second", () =>
      objects.createNamespacedCustomObject({ group, version, namespace, plural, body: gadget("second", 5) }),
    );
    assert.deepEqual(watched.spec, { size: 5 });
  });

  it("keeps stored objects when the apiserver alone restarts on the same address", async () => {
    const core = kube.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: "survivor" }, data: { kept: "yes" } },
    });
    await kube.restartApiServer();
    const read = await core.readNamespacedConfigMap({ namespace, name: "survivor" });
    assert.deepEqual(read.data, { kept: "yes" });
  });
});
