// Issue 18 in the cluster: a link the operator issues works from the server pod its Deployment
// runs. The pod spends the code with nothing but what the operator rendered for it (the projected
// API token volume, the Role allowing create and get on Leases, its binding), the link hands the
// profile out once and then 404s, a browser is then shown the spent page naming the server's
// contact, the profile reads the table with the official Python client, and the server's
// ServiceAccount can do nothing else with the API.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { V1Deployment } from "@kubernetes/client-node";
import { apiVersion } from "../../operator/api/group.ts";
import type { KubeObject } from "../../operator/kube/objects.ts";
import { objectPath, resourceTypes } from "../../operator/kube/resourceTypes.ts";
import type { ActivationStatus } from "../../operator/render/activation.ts";
import { activationLeaseName } from "../../server/auth/activationLeases.ts";
import { loadWithClient } from "../fixtures/recipient.ts";
import { readTable, sortRows } from "../fixtures/tables.ts";
import { serviceAccountMay } from "../ground/accessReview.ts";
import { freePort } from "../ground/ports.ts";
import { waitUntil } from "../ground/wait.ts";
import type { Cluster } from "./cluster.ts";
import type { RunningPod } from "./kubelet.ts";
import { profileFrom, waitForCondition } from "./resources.ts";
import { mobilityShare, type SampleGround, sampleTables, startSampleGround } from "./sampleGround.ts";

const podIp = "127.0.0.4";
const contact = "sharing-team@example.com";
const json = { accept: "application/json" };
const html = { accept: "text/html" };

let ground: SampleGround;
let cluster: Cluster;
let pod: RunningPod;

async function get(url: string, headers: Record<string, string>) {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
  return { status: response.status, text: await response.text() };
}

const serverAccountMay = (verb: string, resource: string, group = "") =>
  serviceAccountMay(
    cluster.client,
    { namespace: "default", name: "sharing" },
    {
      verb,
      group,
      resource,
      namespace: "default",
    },
  );

before(async () => {
  ground = await startSampleGround("e2e-activation", "dso-e2e-activation-");
  cluster = ground.cluster;
  const [port, opsPort] = [await freePort(), await freePort()];
  await cluster.apply(
    ground.serverResource({ port, opsPort, host: podIp }, { replicas: 1, activation: { contact } }),
  );
  await cluster.apply(mobilityShare());
  await cluster.apply({
    apiVersion,
    kind: "DeltaRecipient",
    metadata: { name: "outsider" },
    spec: { serverRef: { name: "sharing" }, shares: ["mobility"], activation: {} },
  } as KubeObject);
  // the first link makes the pods' template carry the API token: run the pod that has it
  await waitUntil(
    async () => {
      const deployment = await cluster.get<V1Deployment>(resourceTypes.deployment, "sharing");
      return deployment?.spec?.template.spec?.volumes?.some((volume) => volume.projected) ?? false;
    },
    { timeoutMs: 30_000, what: "the Deployment to give its pods an API token" },
  );
  pod = await ground.runServerPod(podIp);
  await waitForCondition(cluster, resourceTypes.recipient, "outsider", { status: "True" }, 60_000);
});

after(async () => {
  await ground?.stop();
});

describe("a link the operator issues, served by the pod its Deployment runs", () => {
  it("hands the profile out once, then 404s; the profile reads the table", async () => {
    const recipient = await cluster.get<{ status?: { activation?: ActivationStatus } }>(
      resourceTypes.recipient,
      "outsider",
    );
    const link = recipient?.status?.activation;
    assert.ok(link, "the status carries the link");
    assert.ok(link.url.startsWith(`http://${podIp}:`), link.url);

    const first = await get(link.url, json);
    assert.equal(first.status, 200, `${first.text}\n${pod.process.output().slice(-3000)}`);
    const profile = JSON.parse(first.text) as { bearerToken: string };
    assert.equal(profile.bearerToken, (await profileFrom(cluster, "outsider-share-profile")).bearerToken);

    const again = await get(link.url, json);
    assert.equal(again.status, 404);
    assert.equal((JSON.parse(again.text) as { errorCode: string }).errorCode, "RESOURCE_DOES_NOT_EXIST");
    const page = await get(link.url, html);
    assert.equal(page.status, 404);
    assert.match(page.text, /already been used/);
    assert.match(page.text, /sharing-team@example\.com/);

    // the spend is the Lease the pod created with its own token
    const lease = await cluster.client.get<{ spec: { holderIdentity: string } }>(
      objectPath(resourceTypes.lease, "default", activationLeaseName(link.codeSha256)),
    );
    assert.equal(lease.spec.holderIdentity, "outsider");

    const file = join(ground.scratch, "outsider.share");
    await writeFile(file, first.text, { mode: 0o600 });
    const read = await loadWithClient(file, "mobility.bikes.trips");
    const expected = await readTable(join(sampleTables, "trips"));
    assert.ok(read.rows.length > 0);
    assert.deepEqual(sortRows(read.rows), sortRows(expected.versions[String(expected.latestVersion)] ?? []));
    assert.ok(!pod.process.output().includes(profile.bearerToken), "the server logged no token");
  });

  it("the server's ServiceAccount may create and get Leases, and none of the rest sampled here", async () => {
    const coordination = "coordination.k8s.io";
    assert.equal(await serverAccountMay("create", "leases", coordination), true);
    assert.equal(await serverAccountMay("get", "leases", coordination), true);
    for (const verb of ["list", "update", "delete"]) {
      assert.equal(await serverAccountMay(verb, "leases", coordination), false, verb);
    }
    assert.equal(await serverAccountMay("get", "secrets"), false);
    assert.equal(await serverAccountMay("list", "pods"), false);
  });
});
