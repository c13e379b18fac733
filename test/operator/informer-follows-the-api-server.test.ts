// The informer against a real API server: a paginated first list, then every add, update and
// delete from the watch, including across an API-server restart.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { V1Secret } from "@kubernetes/client-node";
import pino from "pino";
import { createKubeClient, type KubeClient } from "../../operator/kube/client.ts";
import { Informer } from "../../operator/kube/informer.ts";
import type { KubeObject } from "../../operator/kube/objects.ts";
import { collectionPath, objectPath, resourceTypes } from "../../operator/kube/resourceTypes.ts";
import { type KubeGround, startKube } from "../ground/kube.ts";
import { waitUntil } from "../ground/wait.ts";

type Secret = V1Secret & KubeObject;

let kube: KubeGround;
let client: KubeClient;
const stop = new AbortController();
const seen: string[] = [];
let informer: Informer<Secret>;
let restarts = 0;

const secret = (name: string, value: string) => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name, labels: { "informer-test": "yes" } },
  stringData: { value },
});

before(async () => {
  kube = await startKube();
  client = createKubeClient(kube.kubeConfig);
  const path = collectionPath(resourceTypes.secret, "default");
  // more than one page (500) before the informer starts
  for (let index = 0; index < 620; index += 20) {
    await Promise.all(
      Array.from({ length: 20 }, (_, offset) => client.create(path, secret(`early-${index + offset}`, "0"))),
    );
  }
  informer = new Informer<Secret>({
    name: "test",
    client,
    type: resourceTypes.secret,
    namespace: "default",
    labelSelector: "informer-test=yes",
    handlers: {
      added: (object) => seen.push(`added ${object.metadata.name}`),
      updated: (object) => seen.push(`updated ${object.metadata.name}`),
      deleted: (object) => seen.push(`deleted ${object.metadata.name}`),
    },
    logger: pino({ level: "silent" }),
    onRestart: () => {
      restarts += 1;
    },
  });
  informer.run(stop.signal);
});

after(async () => {
  stop.abort();
  await kube?.stop();
});

const value = (name: string) =>
  Buffer.from(informer.get(`default/${name}`)?.data?.value ?? "", "base64").toString("utf8");

describe("the informer", () => {
  it("lists every page, with kind and apiVersion on each cached item", async () => {
    await informer.waitForSync();
    assert.equal(informer.size, 620);
    assert.equal(seen.filter((event) => event.startsWith("added early-")).length, 620);
    const item = informer.get("default/early-7");
    assert.equal(item?.kind, "Secret");
    assert.equal(item?.apiVersion, "v1");
  });

  it("follows adds, updates and deletes from the watch", async () => {
    const path = collectionPath(resourceTypes.secret, "default");
    await client.create(path, secret("late", "1"));
    await client.apply(objectPath(resourceTypes.secret, "default", "early-1"), secret("early-1", "2"), {
      fieldManager: "test",
    });
    await client.delete(objectPath(resourceTypes.secret, "default", "early-2"));
    await waitUntil(() => seen.includes("deleted early-2"), { timeoutMs: 10_000, what: "the delete event" });
    assert.ok(seen.includes("added late"));
    assert.ok(seen.includes("updated early-1"));
    assert.equal(value("early-1"), "2");
    assert.equal(informer.get("default/early-2"), undefined);
  });

  it("resumes after an API-server restart and sees what changed after it", async () => {
    await kube.restartApiServer();
    await client.apply(objectPath(resourceTypes.secret, "default", "early-3"), secret("early-3", "after"), {
      fieldManager: "test",
    });
    await client.delete(objectPath(resourceTypes.secret, "default", "early-4"));
    await waitUntil(() => value("early-3") === "after" && informer.get("default/early-4") === undefined, {
      timeoutMs: 30_000,
      what: "changes made after the restart",
    });
    assert.ok(restarts > 0, "the watch was restarted");
    assert.equal(informer.size, 620 + 1 - 2);
  });
});
