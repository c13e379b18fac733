// examples/share.yaml end to end: the operator renders it into a running sharing server, the
// official Python client reads a table with the profile from a recipient's Secret, and rotation,
// share edits and deletion reach the running server without a restart.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type {
  V1Deployment,
  V1PodDisruptionBudget,
  V1Secret,
  V1Service,
  V1ServiceAccount,
} from "@kubernetes/client-node";
import type { KubeObject } from "../../operator/kube/objects.ts";
import { objectPath, resourceTypes } from "../../operator/kube/resourceTypes.ts";
import type { Profile } from "../../operator/render/credentialSecret.ts";
import { tokenSha256 } from "../../operator/render/credentials.ts";
import { type Row, readTable, sortRows } from "../fixtures/tables.ts";
import { freePort } from "../ground/ports.ts";
import { runPythonJson } from "../ground/python.ts";
import { waitUntil } from "../ground/wait.ts";
import { type ExampleObject, exampleObjects } from "../operator/resources.ts";
import type { Cluster, RunningOperator } from "./cluster.ts";
import type { RunningPod } from "./kubelet.ts";
import {
  condition,
  listSharesStatus,
  profileFrom,
  storedConfig,
  type WithStatus,
  waitForCondition,
  waitForPodsOnly,
} from "./resources.ts";
import { type SampleGround, sampleBucket, sampleTables, startSampleGround } from "./sampleGround.ts";

const { server: serverType, share: shareType, recipient: recipientType, secret: secretType } = resourceTypes;

let ground: SampleGround;
let cluster: Cluster;
let operator: RunningOperator;
let pod: RunningPod | undefined;
let [port, opsPort] = [0, 0];
let [scratch, partnerProfile] = ["", {} as Profile];

function exampleObject(kind: string, name: string): ExampleObject {
  const found = exampleObjects().find((object) => object.kind === kind && object.metadata.name === name);
  if (found === undefined) throw new Error(`examples/share.yaml has no ${kind} ${name}`);
  return found;
}

/** Asks the official client, with this profile written to a file. */
async function askClient<T>(profile: Profile, request: object): Promise<T & { error?: string }> {
  const path = join(scratch, `profile-${Date.now()}-${Math.random()}.share`);
  await writeFile(path, JSON.stringify(profile), { mode: 0o600 });
  return runPythonJson("test/fixtures/recipient.py", [JSON.stringify({ ...request, profile: path })]);
}
const readWithClient = (profile: Profile, table: string) =>
  askClient<{ rows?: Row[] }>(profile, { op: "load", table });
const listWithClient = (profile: Profile) =>
  askClient<{ tables?: Record<string, string[]> }>(profile, { op: "list" });

before(async () => {
  ground = await startSampleGround("e2e-operator", "dso-e2e-");
  ({ cluster, operator, scratch } = ground);
  [port, opsPort] = await Promise.all([freePort(), freePort()]);
});

after(async () => {
  await ground?.stop();
});

describe("the operator serves examples/share.yaml", () => {
  it("applies verbatim, and renders every object and condition as specified", async () => {
    for (const object of exampleObjects()) await cluster.apply(object as unknown as KubeObject);
    // This test ground's facts, applied as a second manager would (a kustomize overlay): its S3
    // server, and a pod network that is this machine's loopback.
    await cluster.apply(ground.serverResource({ port, opsPort }), "e2e-environment");

    // everything is in the configuration, but no pod runs it yet: nothing is Ready to read
    for (const name of ["analytics-partner", "city-auditor"]) {
      const recipient = await waitForPodsOnly(cluster, recipientType, name);
      assert.deepEqual(
        recipient.status?.conditions?.map((each) => [each.type, each.status, each.reason]),
        [
          ["Ready", "Unknown", "WaitingForPods"],
          ["CredentialsIssued", "True", "TokenIssued"],
          ["SharesGranted", "True", "SharesServed"],
          ["Accepted", "True", "InServerConfig"],
          ["Loaded", "Unknown", "WaitingForPods"],
        ],
      );
      for (const each of recipient.status?.conditions ?? []) {
        assert.equal(each.observedGeneration, recipient.metadata.generation);
        assert.match(each.lastTransitionTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      }
      assert.deepEqual(recipient.metadata.finalizers, ["sharing.delta-sharing-operator.dev/revoke-access"]);
      assert.equal(recipient.status?.endpoint, `http://127.0.0.1:${port}/delta-sharing`);
    }
    const partner = await cluster.get<WithStatus>(recipientType, "analytics-partner");
    const expiresAt = Date.parse(String(partner?.status?.tokenExpiresAt));
    assert.ok(Math.abs(expiresAt - (Date.now() + 2160 * 3600_000)) < 120_000, "token lifetime 2160h");

    const share = await waitForCondition(cluster, shareType, "mobility", {
      status: "Unknown",
      reason: "WaitingForPods",
    });
    assert.deepEqual(
      share.status?.conditions?.map((each) => [each.type, each.status, each.reason]),
      [
        ["Ready", "Unknown", "WaitingForPods"],
        ["Valid", "True", "Valid"],
        ["Served", "True", "InServerConfig"],
        ["Loaded", "Unknown", "WaitingForPods"],
        ["TablesFound", "Unknown", "WaitingForPods"],
      ],
    );
    assert.equal(share.status?.tables, 2);

    // no kubelet or deployment controller yet: the configuration is written, the pods are not there
    const server = await waitForCondition(cluster, serverType, "sharing", {
      type: "ConfigRendered",
      status: "True",
      reason: "ConfigWritten",
    });
    assert.deepEqual(
      server.status?.conditions?.map((each) => [each.type, each.status, each.reason]),
      [
        ["Ready", "Unknown", "DeploymentPending"],
        ["ConfigRendered", "True", "ConfigWritten"],
        ["Available", "Unknown", "DeploymentPending"],
        ["Loaded", "Unknown", "DeploymentPending"],
        ["PublicEndpoint", "True", "PublicUrlSet"],
      ],
    );
    assert.equal(server.status?.endpoint, `http://127.0.0.1:${port}/delta-sharing`);
    assert.equal(server.status?.shares, 1);
    assert.equal(server.status?.recipients, 2);

    // the children, each controlled by the server (the garbage collector's link)
    const owned = (object: KubeObject | undefined) => {
      assert.ok(object, "rendered object missing");
      assert.deepEqual(
        object.metadata.ownerReferences?.map((owner) => [
          owner.kind,
          owner.name,
          owner.uid,
          owner.controller,
        ]),
        [["DeltaSharingServer", "sharing", server.metadata.uid, true]],
      );
    };
    const serviceAccount = await cluster.get<V1ServiceAccount & KubeObject>(
      resourceTypes.serviceAccount,
      "sharing",
    );
    owned(serviceAccount);
    assert.equal(
      serviceAccount?.metadata.annotations?.["eks.amazonaws.com/role-arn"],
      "arn:aws:iam::111122223333:role/delta-sharing-reader",
    );
    const service = await cluster.get<V1Service & KubeObject>(resourceTypes.service, "sharing");
    owned(service);
    assert.deepEqual(
      service?.spec?.ports?.map((each) => [each.name, each.port, each.targetPort]),
      [["http", 8080, "http"]],
    );
    const budget = await cluster.get<V1PodDisruptionBudget & KubeObject>(
      resourceTypes.podDisruptionBudget,
      "sharing",
    );
    owned(budget);
    assert.equal(budget?.spec?.minAvailable, 1);
    const deployment = await cluster.get<V1Deployment & KubeObject>(resourceTypes.deployment, "sharing");
    owned(deployment);
    const container = deployment?.spec?.template.spec?.containers[0];
    assert.equal(container?.securityContext?.readOnlyRootFilesystem, true);
    assert.equal(container?.securityContext?.runAsNonRoot, true);
    assert.deepEqual(container?.resources, {
      requests: { cpu: "250m", memory: "384Mi" },
      limits: { memory: "768Mi" },
    });
    const configSecret = await cluster.get<V1Secret & KubeObject>(secretType, "sharing-config");
    owned(configSecret);

    // the configuration holds token hashes only; each plain token is in its recipient's Secret alone
    const config = await storedConfig(cluster);
    const configText = Buffer.from(configSecret?.data?.["config.yaml"] ?? "", "base64").toString("utf8");
    assert.equal(config.authorization, undefined);
    assert.equal(config.signingKeyFile, "signing-key");
    assert.ok((configSecret?.data?.["signing-key"]?.length ?? 0) >= 44);
    for (const [name, secretName] of [
      ["analytics-partner", "analytics-partner-share-profile"],
      ["city-auditor", "city-auditor-delta-sharing"],
    ] as const) {
      const profile = await profileFrom(cluster, secretName);
      assert.equal(profile.shareCredentialsVersion, 1);
      assert.equal(profile.endpoint, `http://127.0.0.1:${port}/delta-sharing`);
      assert.match(profile.expirationTime ?? "", /Z$/);
      assert.ok(profile.bearerToken.length >= 43, "at least 256 bits");
      assert.ok(!configText.includes(profile.bearerToken));
      const entry = config.recipients?.find((each) => each.name === name);
      assert.deepEqual(entry?.tokens, [
        { sha256: tokenSha256(profile.bearerToken), expiresAt: profile.expirationTime },
      ]);
      const secret = await cluster.get<V1Secret & KubeObject>(secretType, secretName);
      assert.deepEqual(
        secret?.metadata.ownerReferences?.map((owner) => [owner.kind, owner.name, owner.controller]),
        [["DeltaRecipient", name, true]],
      );
    }
    assert.deepEqual(config.recipients?.find((each) => each.name === "city-auditor")?.allowedIpRanges, [
      "203.0.113.0/24",
      "2001:db8:1200::/40",
    ]);

    const events = await cluster.client.list<{ reason: string; involvedObject: { name: string } }>(
      "/api/v1/namespaces/default/events",
    );
    const reasons = new Set(events.items.map((event) => `${event.involvedObject.name}:${event.reason}`));
    for (const expected of [
      "analytics-partner:TokenIssued",
      "city-auditor:TokenIssued",
      "sharing:ConfigCreated",
    ]) {
      assert.ok(reasons.has(expected), `no ${expected} event among ${[...reasons].join(", ")}`);
    }
  });

  it("runs the server exactly as the Deployment says, and the official client reads a table with the Secret's profile", async () => {
    pod = await ground.runServerPod();
    const server = await waitForCondition(cluster, serverType, "sharing", {
      status: "True",
      reason: "Serving",
    });
    assert.equal(condition(server, "Available")?.reason, "ReplicasAvailable");
    await waitForCondition(cluster, shareType, "mobility", { status: "True", reason: "Served" });
    await waitForCondition(cluster, recipientType, "analytics-partner", { status: "True" });

    partnerProfile = await profileFrom(cluster, "analytics-partner-share-profile");
    const read = await readWithClient(partnerProfile, "mobility.bikes.trips");
    assert.equal(read.error, undefined);
    const expected = await readTable(join(sampleTables, "trips"));
    assert.deepEqual(
      sortRows(read.rows ?? []),
      sortRows(expected.versions[String(expected.latestVersion)] ?? []),
    );
    assert.ok((read.rows?.length ?? 0) > 0);

    // the auditor's token is valid, but only from its office network
    const auditor = await profileFrom(cluster, "city-auditor-delta-sharing");
    assert.equal(await listSharesStatus(auditor.endpoint, auditor.bearerToken), 403);
  });

  it("rotates a token: both work during the grace period, the old one is refused after", async () => {
    const oldToken = partnerProfile.bearerToken;
    const partner = exampleObject("DeltaRecipient", "analytics-partner");
    const graceSeconds = 8;
    await cluster.apply({
      ...partner,
      spec: { ...partner.spec, token: { lifetime: "2160h", rotation: 1, gracePeriod: `${graceSeconds}s` } },
    } as unknown as KubeObject);
    const rotated = await waitForCondition(cluster, recipientType, "analytics-partner", { status: "True" });
    assert.equal(rotated.status?.tokenRotation, 1);
    const graceEnds = Date.parse(String(rotated.status?.previousTokenExpiresAt));
    assert.ok(graceEnds > Date.now(), "the previous token has a grace period");
    const newProfile = await profileFrom(cluster, "analytics-partner-share-profile");
    assert.notEqual(newProfile.bearerToken, oldToken);

    await waitUntil(
      async () => (await listSharesStatus(newProfile.endpoint, newProfile.bearerToken)) === 200,
      {
        timeoutMs: 20_000,
        what: "the running server to accept the new token",
      },
    );
    assert.ok(Date.now() < graceEnds, "still inside the grace period");
    assert.equal(await listSharesStatus(newProfile.endpoint, oldToken), 200);

    await waitUntil(() => Date.now() > graceEnds + 500, {
      timeoutMs: 20_000,
      what: "the grace period to end",
    });
    assert.equal(await listSharesStatus(newProfile.endpoint, oldToken), 401);
    assert.equal(await listSharesStatus(newProfile.endpoint, newProfile.bearerToken), 200);
    partnerProfile = newProfile;
    // the operator then drops the old hash from the configuration and the status
    await waitUntil(
      async () => {
        const recipient = await cluster.get<WithStatus>(recipientType, "analytics-partner");
        const entry = (await storedConfig(cluster)).recipients?.find(
          (each) => each.name === "analytics-partner",
        );
        return (
          recipient?.status?.previousTokenExpiresAt === undefined &&
          JSON.stringify(entry?.tokens.map((token) => token.sha256)) ===
            JSON.stringify([tokenSha256(newProfile.bearerToken)])
        );
      },
      { timeoutMs: 20_000, what: "the previous token to leave the status and the configuration" },
    );
    const read = await readWithClient(partnerProfile, "mobility.bikes.stations");
    assert.equal(read.error, undefined);
  });

  it("takes a share edit to the running server without restarting it", async () => {
    const pid = pod?.process.child.pid;
    const swapsBefore = pod?.secretSwaps() ?? 0;
    const mobility = exampleObject("DeltaShare", "mobility");
    const spec = mobility.spec as {
      schemas: { name: string; tables: { name: string; location: string }[] }[];
    };
    await cluster.apply({
      ...mobility,
      spec: {
        ...mobility.spec,
        schemas: [
          ...spec.schemas,
          {
            name: "reference",
            tables: [{ name: "stations", location: `s3://${sampleBucket}/bikes/stations` }],
          },
        ],
      },
    } as unknown as KubeObject);
    await waitForCondition(cluster, shareType, "mobility", { status: "True" });
    let listing: { tables?: Record<string, string[]> } = {};
    await waitUntil(
      async () => {
        listing = await listWithClient(partnerProfile);
        return listing.tables?.["mobility.reference"] !== undefined;
      },
      { timeoutMs: 30_000, what: "the new schema to be listed by the running server" },
    );
    assert.deepEqual(listing.tables?.["mobility.reference"], ["stations"]);
    assert.equal(pod?.process.child.pid, pid);
    assert.equal(pod?.process.child.exitCode, null);
    assert.ok((pod?.secretSwaps() ?? 0) > swapsBefore, "delivered by the Secret volume's symlink swap");
    assert.match(pod?.process.output() ?? "", /configuration reloaded/);
    const read = await readWithClient(partnerProfile, "mobility.reference.stations");
    assert.equal(read.error, undefined);
  });

  it("revokes a deleted recipient's access: the recipient is gone only once the running server refuses it", async () => {
    const token = partnerProfile.bearerToken;
    assert.equal(await listSharesStatus(partnerProfile.endpoint, token), 200);
    await cluster.client.delete(objectPath(recipientType, "default", "analytics-partner"));
    await waitUntil(async () => (await cluster.get(recipientType, "analytics-partner")) === undefined, {
      timeoutMs: 20_000,
      what: "the recipient's finalizer to be released",
    });
    const config = await storedConfig(cluster);
    assert.deepEqual(
      config.recipients?.map((each) => each.name),
      ["city-auditor"],
    );
    // released only once the running pod loaded that configuration: refused at once
    assert.equal(await listSharesStatus(partnerProfile.endpoint, token), 401);
    // no garbage collector runs here: the owner reference is what deletes the Secret in a cluster
    const secret = await cluster.get<V1Secret & KubeObject>(secretType, "analytics-partner-share-profile");
    assert.equal(secret?.metadata.ownerReferences?.[0]?.kind, "DeltaRecipient");
    const server = await waitForCondition(cluster, serverType, "sharing", { status: "True" });
    assert.equal(server.status?.recipients, 1);
    assert.equal(operator.process.child.exitCode, null, "the operator kept running throughout");
    assert.ok(!JSON.stringify(await storedConfig(cluster)).includes(tokenSha256(token)));
  });
});
