// Ready means a recipient can read now. On the real API server, with the server run from its
// Deployment by the stand-in kubelet on its own loopback address (127.0.0.2, its pod IP in the
// Pod object the operator lists), a share and a recipient stay not Ready (WaitingForPods) until a
// pod that loaded their configuration runs; a deleted recipient is reported revoked only once the
// running pod refuses its token (the kubelet's Secret refresh held back meanwhile); a table whose
// location is wrong makes its share not Ready, naming it; tokens warn before they expire, a deleted
// profile Secret's token keeps its grace period and revokePrevious ends it at once.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { V1Ingress } from "@kubernetes/client-node";
import { apiVersion } from "../../operator/api/group.ts";
import type { KubeObject } from "../../operator/kube/objects.ts";
import { objectPath, resourceTypes } from "../../operator/kube/resourceTypes.ts";
import { tokenSha256 } from "../../operator/render/credentials.ts";
import { loadWithClient } from "../fixtures/recipient.ts";
import { freePort } from "../ground/ports.ts";
import { waitUntil } from "../ground/wait.ts";
import type { Cluster, RunningOperator } from "./cluster.ts";
import type { RunningPod } from "./kubelet.ts";
import {
  condition,
  listSharesStatus,
  profileFrom,
  storedConfig,
  type WithStatus,
  waitForCondition,
} from "./resources.ts";
import { type SampleGround, sampleBucket, startSampleGround } from "./sampleGround.ts";

const { server: serverType, share: shareType, recipient: recipientType, secret: secretType } = resourceTypes;
const podIp = "127.0.0.2";

let ground: SampleGround;
let cluster: Cluster;
let operator: RunningOperator;
let pod: RunningPod | undefined;
let scratch: string;

const share = (name: string, tables: Record<string, string>) =>
  ({
    apiVersion,
    kind: "DeltaShare",
    metadata: { name },
    spec: {
      serverRef: { name: "sharing" },
      schemas: [
        {
          name: "bikes",
          tables: Object.entries(tables).map(([table, path]) => ({ name: table, location: path })),
        },
      ],
    },
  }) as KubeObject;

const recipient = (name: string, token: Record<string, unknown> = {}) =>
  ({
    apiVersion,
    kind: "DeltaRecipient",
    metadata: { name },
    spec: { serverRef: { name: "sharing" }, shares: ["mobility"], token },
  }) as KubeObject;

async function events(name: string): Promise<{ type: string; reason: string; message: string }[]> {
  const list = await cluster.client.list<{
    type: string;
    reason: string;
    message: string;
    involvedObject: { name: string };
  }>("/api/v1/namespaces/default/events");
  return list.items.filter((event) => event.involvedObject.name === name);
}

async function configHolds(recipientName: string): Promise<boolean> {
  return ((await storedConfig(cluster)).recipients ?? []).some((each) => each.name === recipientName);
}

before(async () => {
  ground = await startSampleGround("e2e-ready", "dso-ready-");
  ({ cluster, operator, scratch } = ground);
});

after(async () => {
  await ground?.stop();
});

describe("Ready means a recipient can read now", () => {
  it("a share and a recipient wait for a pod that loaded them, then are Ready and the profile reads", async () => {
    const [port, opsPort] = [await freePort(), await freePort()];
    await cluster.apply(
      ground.serverResource({ port, opsPort, host: podIp }, { replicas: 1, tokens: { expiryWarning: "1h" } }),
    );
    await cluster.apply(share("mobility", { trips: `s3://${sampleBucket}/bikes/trips` }));
    await cluster.apply(recipient("partner"));

    // in the configuration, but no pod runs it: not Ready, and saying why
    await waitForCondition(cluster, shareType, "mobility", { type: "Served", status: "True" });
    await waitForCondition(cluster, recipientType, "partner", { type: "Accepted", status: "True" });
    for (const [type, name] of [
      [shareType, "mobility"],
      [recipientType, "partner"],
    ] as const) {
      const waiting = await waitForCondition(cluster, type, name, {
        status: "Unknown",
        reason: "WaitingForPods",
      });
      assert.match(condition(waiting, "Ready")?.message ?? "", /server sharing is not available/);
    }

    pod = await ground.runServerPod(podIp);
    const ready = await waitForCondition(cluster, recipientType, "partner", { status: "True" });
    assert.deepEqual(
      ready.status?.conditions?.map((each) => [each.type, each.status, each.reason]),
      [
        ["Ready", "True", "CredentialsReady"],
        ["CredentialsIssued", "True", "TokenIssued"],
        ["SharesGranted", "True", "SharesServed"],
        ["Accepted", "True", "InServerConfig"],
        ["Loaded", "True", "ConfigLoaded"],
      ],
    );
    // Ready, so the profile works at once: no retry
    const profile = await profileFrom(cluster, "partner-share-profile");
    assert.equal(profile.endpoint, `http://${podIp}:${port}/delta-sharing`);
    assert.equal(await listSharesStatus(profile.endpoint, profile.bearerToken), 200);
    const path = join(scratch, "partner.share");
    await writeFile(path, JSON.stringify(profile), { mode: 0o600 });
    assert.ok((await loadWithClient(path, "mobility.bikes.trips")).rows.length > 0);

    const mobility = await waitForCondition(cluster, shareType, "mobility", { status: "True" });
    assert.deepEqual(condition(mobility, "TablesFound")?.reason, "TablesFound");
    const server = await waitForCondition(cluster, serverType, "sharing", {
      status: "True",
      reason: "Serving",
    });
    assert.equal(condition(server, "Loaded")?.status, "True");
    assert.equal(condition(server, "PublicEndpoint")?.reason, "PublicUrlSet");
  });

  it("a table whose location is wrong makes its share not Ready, naming the table and the location", async () => {
    const typo = `s3://${sampleBucket}/bikes/does-not-exist`;
    await cluster.apply(share("typo", { trips: `s3://${sampleBucket}/bikes/trips`, missing: typo }));
    const failing = await waitForCondition(cluster, shareType, "typo", {
      status: "False",
      reason: "TableNotFound",
    });
    assert.match(
      condition(failing, "Ready")?.message ?? "",
      new RegExp(`table typo\\.bikes\\.missing was not found at ${typo}`),
    );
    assert.equal(condition(failing, "Served")?.status, "True", "the other table is still served");
  });

  it("a deleted recipient is reported revoked only once the running server refuses its token", async () => {
    const running = pod as RunningPod;
    const profile = await profileFrom(cluster, "partner-share-profile");
    // the kubelet has not refreshed the Secret volume yet (on a cluster: up to a minute or two)
    running.holdSecretSync(true);
    await cluster.client.delete(objectPath(recipientType, "default", "partner"));
    await waitUntil(async () => !(await configHolds("partner")), {
      timeoutMs: 20_000,
      what: "the configuration to drop the recipient",
    });
    await sleep(3000);
    assert.ok(
      await cluster.get(recipientType, "partner"),
      "not reported revoked while the pod still accepts it",
    );
    assert.equal(await listSharesStatus(profile.endpoint, profile.bearerToken), 200);
    assert.ok(!(await events("partner")).some((event) => event.reason === "AccessRevoked"));
    // a recipient made meanwhile waits for the pod too, and says so
    await cluster.apply(recipient("newcomer"));
    const waiting = await waitForCondition(cluster, recipientType, "newcomer", {
      status: "Unknown",
      reason: "WaitingForPods",
    });
    assert.match(condition(waiting, "Ready")?.message ?? "", /still serve an earlier configuration.*kubelet/);

    running.holdSecretSync(false);
    await waitUntil(async () => (await cluster.get(recipientType, "partner")) === undefined, {
      timeoutMs: 30_000,
      what: "the recipient's finalizer to be released",
    });
    assert.equal(await listSharesStatus(profile.endpoint, profile.bearerToken), 401);
    await waitForCondition(cluster, recipientType, "newcomer", { status: "True" });
  });

  it("tokens last 90 days by default, and one about to expire raises a Warning event and shows in the metric", async () => {
    const newcomer = await cluster.get<WithStatus>(recipientType, "newcomer");
    const expiresAt = Date.parse(String(newcomer?.status?.tokenExpiresAt));
    assert.ok(Math.abs(expiresAt - (Date.now() + 90 * 86_400_000)) < 120_000, "90 days");

    await cluster.apply(recipient("expiring", { lifetime: "50m" }));
    await waitUntil(
      async () => (await events("expiring")).some((event) => event.reason === "TokenExpiringSoon"),
      {
        timeoutMs: 20_000,
        what: "a TokenExpiringSoon event",
      },
    );
    const warning = (await events("expiring")).find((event) => event.reason === "TokenExpiringSoon");
    assert.equal(warning?.type, "Warning");
    assert.match(warning?.message ?? "", /expires at \d{4}-\d\d-\d\dT[\d:]+Z; raise spec\.token\.rotation/);
    const metrics = await (await fetch(`${operator.healthUrl}/metrics`)).text();
    const seconds = Number(
      /delta_sharing_operator_token_expiry_seconds\{namespace="default",recipient="expiring"\} (-?\d+)/.exec(
        metrics,
      )?.[1],
    );
    assert.ok(seconds > 2900 && seconds <= 3000, `${seconds} s left`);
  });

  it("a deleted profile Secret is made anew, the old token working for the grace period; revokePrevious ends it at once", async () => {
    await cluster.apply(recipient("keeper", { gracePeriod: "1h" }));
    await waitForCondition(cluster, recipientType, "keeper", { status: "True" });
    const old = await profileFrom(cluster, "keeper-share-profile");
    await cluster.client.delete(objectPath(secretType, "default", "keeper-share-profile"));
    let remade = old;
    await waitUntil(
      async () => {
        remade = await profileFrom(cluster, "keeper-share-profile").catch(() => old);
        return remade.bearerToken !== old.bearerToken;
      },
      { timeoutMs: 20_000, what: "the profile Secret to be made anew" },
    );
    let keeper: WithStatus | undefined;
    await waitUntil(
      async () => {
        keeper = await cluster.get<WithStatus>(recipientType, "keeper");
        return (
          keeper?.status?.tokenSha256 === tokenSha256(remade.bearerToken) &&
          condition(keeper, "Ready")?.status === "True"
        );
      },
      { timeoutMs: 30_000, what: `keeper Ready with its new token; last ${JSON.stringify(keeper?.status)}` },
    );
    const graceEnds = Date.parse(String(keeper?.status?.previousTokenExpiresAt));
    assert.ok(Math.abs(graceEnds - (Date.now() + 3600_000)) < 120_000, "the grace period is kept");
    assert.ok((await events("keeper")).some((event) => event.reason === "TokenReissued"));
    assert.equal(await listSharesStatus(remade.endpoint, remade.bearerToken), 200);
    assert.equal(await listSharesStatus(old.endpoint, old.bearerToken), 200);

    // the documented answer to a leaked token
    await cluster.apply(recipient("keeper", { gracePeriod: "1h", revokePrevious: true }));
    await waitUntil(
      async () => {
        const current = await cluster.get<WithStatus>(recipientType, "keeper");
        const ready = condition(current, "Ready");
        return (
          current?.status?.previousTokenExpiresAt === undefined &&
          ready?.status === "True" &&
          ready.observedGeneration === current?.metadata.generation
        );
      },
      { timeoutMs: 30_000, what: "the previous token to be revoked and the pod to have loaded that" },
    );
    assert.equal(await listSharesStatus(old.endpoint, old.bearerToken), 401);
    assert.equal(await listSharesStatus(remade.endpoint, remade.bearerToken), 200);
  });

  it("an Ingress routing only the API path is rendered and accepted by the API server; a bad lifetime is refused in words", async () => {
    await cluster.apply(
      {
        apiVersion,
        kind: "DeltaSharingServer",
        metadata: { name: "sharing" },
        spec: {
          ingress: {
            host: "sharing.example.com",
            className: "alb",
            annotations: {
              "alb.ingress.kubernetes.io/scheme": "internet-facing",
              "alb.ingress.kubernetes.io/target-type": "ip",
            },
          },
        },
      } as KubeObject,
      "e2e-ingress",
    );
    let ingress: V1Ingress | undefined;
    await waitUntil(
      async () => {
        ingress = await cluster.get<V1Ingress>(resourceTypes.ingress, "sharing");
        return ingress !== undefined;
      },
      { timeoutMs: 20_000, what: "the Ingress" },
    );
    assert.equal(ingress?.spec?.ingressClassName, "alb");
    assert.equal(ingress?.metadata?.annotations?.["alb.ingress.kubernetes.io/target-type"], "ip");
    assert.deepEqual(
      ingress?.spec?.rules?.map((rule) => [
        rule.host,
        rule.http?.paths.map((each) => [
          each.path,
          each.pathType,
          each.backend.service?.name,
          each.backend.service?.port?.name,
        ]),
      ]),
      [["sharing.example.com", [["/delta-sharing", "Prefix", "sharing", "http"]]]],
    );

    const refused = await cluster.apply(recipient("typo", { lifetime: "90 days" })).then(
      () => undefined,
      (error: Error) => error,
    );
    assert.match(
      String(refused?.message),
      /must be 'never' or a duration such as 90d, 36h, 15m, 30s or 1h30m/,
    );
    assert.doesNotMatch(String(refused?.message), /\^\(\[0-9\]/);
  });
});
