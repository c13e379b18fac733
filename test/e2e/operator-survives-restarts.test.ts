// Two operator replicas behind a leader Lease: one reconciles, the other stands by. Killing the
// leader in the middle of its work loses nothing (the standby finishes it, and no issued token
// changes), an API-server restart is survived, and a graceful stop hands the Lease over at once.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { V1Secret } from "@kubernetes/client-node";
import { parse } from "yaml";
import { apiVersion } from "../../operator/api/group.ts";
import type { KubeObject } from "../../operator/kube/objects.ts";
import { collectionPath, resourceTypes } from "../../operator/kube/resourceTypes.ts";
import { profileKey } from "../../operator/render/credentialSecret.ts";
import { tokenSha256 } from "../../operator/render/credentials.ts";
import type { ServerConfig } from "../../server/config/schema.ts";
import { waitUntil } from "../ground/wait.ts";
import { type Cluster, type RunningOperator, startCluster, startOperator } from "./cluster.ts";
import { applyServerAndShare, type WithStatus, waitForCondition } from "./resources.ts";

const recipients = 200;
const leaseFlags = ["--lease-duration=4s", "--renew-deadline=3s", "--retry-period=500ms"];

let cluster: Cluster;
const operators = new Map<string, RunningOperator>();

interface Lease {
  spec: { holderIdentity?: string | null; leaseTransitions?: number };
}

async function holder(): Promise<string | undefined> {
  const lease = await cluster.get<Lease>(resourceTypes.lease, "delta-sharing-operator");
  return lease?.spec.holderIdentity ?? undefined;
}

async function waitForLeader(except?: string): Promise<string> {
  let found: string | undefined;
  await waitUntil(
    async () => {
      found = await holder();
      return found !== undefined && found !== except && operators.has(found);
    },
    { timeoutMs: 20_000, intervalMs: 50, what: `a leader other than ${except}` },
  );
  return found as string;
}

async function leaderGauge(operator: RunningOperator): Promise<number> {
  const text = await (await fetch(`${operator.healthUrl}/metrics`)).text();
  return Number(/^delta_sharing_operator_leader (\d+)/m.exec(text)?.[1]);
}

async function credentialSecrets(): Promise<Map<string, string>> {
  const list = await cluster.client.list<V1Secret & KubeObject>(
    collectionPath(resourceTypes.secret, "default"),
    {
      labelSelector: "app.kubernetes.io/component=recipient-credentials",
    },
  );
  return new Map(
    list.items.map((secret) => {
      const profile = JSON.parse(Buffer.from(secret.data?.[profileKey] ?? "", "base64").toString("utf8"));
      return [secret.metadata.name, profile.bearerToken as string];
    }),
  );
}

/** Recipients whose token the written configuration accepts (no server pod runs here, so none is Ready). */
async function readyRecipients(): Promise<number> {
  const list = await cluster.client.list<WithStatus>(collectionPath(resourceTypes.recipient, "default"));
  return list.items.filter((item) =>
    item.status?.conditions?.some(
      (condition) => condition.type === "Accepted" && condition.status === "True",
    ),
  ).length;
}

const recipient = (name: string) =>
  ({
    apiVersion,
    kind: "DeltaRecipient",
    metadata: { name },
    spec: { serverRef: { name: "sharing" }, shares: ["sales"] },
  }) as KubeObject;

before(async () => {
  cluster = await startCluster();
  for (const identity of ["replica-a", "replica-b"]) {
    operators.set(identity, await startOperator(cluster.kube, { identity, args: leaseFlags }));
  }
});

after(async () => {
  for (const operator of operators.values()) await operator.stop();
  await cluster?.stop();
});

describe("the operator with two replicas", () => {
  it("has one leader holding the Lease while the other stands by", async () => {
    const leader = await waitForLeader();
    const standby = [...operators.keys()].find((identity) => identity !== leader) as string;
    await waitUntil(async () => (await leaderGauge(operators.get(leader) as RunningOperator)) === 1, {
      timeoutMs: 10_000,
      what: "the leader's gauge",
    });
    assert.equal(await leaderGauge(operators.get(standby) as RunningOperator), 0);
    assert.equal(
      (await fetch(`${operators.get(standby)?.healthUrl}/readyz`)).status,
      200,
      "a standby is ready",
    );
  });

  it("loses nothing when the leader is killed in the middle of reconciling: the standby finishes", async () => {
    await applyServerAndShare(cluster);
    const names = Array.from(
      { length: recipients },
      (_, index) => `reader-${String(index).padStart(4, "0")}`,
    );
    const applying = (async () => {
      for (let index = 0; index < names.length; index += 20) {
        await Promise.all(names.slice(index, index + 20).map((name) => cluster.apply(recipient(name))));
      }
    })();

    const leader = await waitForLeader();
    await waitUntil(async () => (await credentialSecrets()).size >= 10, {
      timeoutMs: 30_000,
      intervalMs: 20,
      what: "the first tokens to be issued",
    });
    await operators.get(leader)?.kill();
    operators.delete(leader);
    const issuedAtKill = await credentialSecrets();
    await applying;
    assert.ok(
      issuedAtKill.size < recipients,
      `killed mid-way (${issuedAtKill.size} of ${recipients} issued)`,
    );

    const successor = await waitForLeader(leader);
    await waitUntil(async () => (await readyRecipients()) === recipients, {
      timeoutMs: 90_000,
      intervalMs: 250,
      what: `all ${recipients} recipients to be Ready`,
    });
    const issued = await credentialSecrets();
    assert.equal(issued.size, recipients);
    for (const [name, token] of issuedAtKill)
      assert.equal(issued.get(name), token, `${name}'s token changed`);
    const configSecret = await cluster.get<V1Secret>(resourceTypes.secret, "sharing-config");
    const config = parse(
      Buffer.from(configSecret?.data?.["config.yaml"] ?? "", "base64").toString("utf8"),
    ) as ServerConfig;
    assert.equal(config.recipients?.length, recipients);
    for (const entry of config.recipients ?? []) {
      assert.deepEqual(
        entry.tokens.map((token) => token.sha256),
        [tokenSha256(issued.get(`${entry.name}-share-profile`) ?? "")],
      );
    }
    assert.ok(successor !== leader);
    // the killed replica comes back as a standby
    operators.set(leader, await startOperator(cluster.kube, { identity: leader, args: leaseFlags }));
  });

  it("survives an API-server restart: watches resume and later changes are reconciled", async () => {
    await cluster.kube.restartApiServer();
    await cluster.apply(recipient("after-restart"));
    await waitForCondition(
      cluster,
      resourceTypes.recipient,
      "after-restart",
      { type: "Accepted", status: "True" },
      60_000,
    );
    for (const operator of operators.values()) assert.equal(operator.process.child.exitCode, null);
    // the new object can only have been seen through a watch or list made after the restart (a
    // shutting-down API server ends watches cleanly, so no error or restart need be recorded)
    await waitForLeader();
  });

  it("hands the Lease over at once on a graceful stop", async () => {
    const leader = await waitForLeader();
    const operator = operators.get(leader) as RunningOperator;
    const stoppedAt = Date.now();
    await operator.stop();
    operators.delete(leader);
    assert.equal(operator.process.child.exitCode, 0);
    const successor = await waitForLeader(leader);
    const takeoverMs = Date.now() - stoppedAt;
    assert.ok(takeoverMs < 3000, `took over in ${takeoverMs} ms, sooner than the 4 s lease would expire`);
    await cluster.apply(recipient("after-handover"));
    await waitForCondition(cluster, resourceTypes.recipient, "after-handover", {
      type: "Accepted",
      status: "True",
    });
    assert.ok(operators.has(successor));
    await sleep(0);
  });
});
