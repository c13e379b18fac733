// Issue 18 on a real API server with the operator running: a DeltaRecipient with spec.activation
// gets a one-time link in its status (never the token), the server's configuration carries the
// link's code hash and sealed profile, the code in the link opens that profile to the token in the
// credential Secret, and a token rotation issues a new link.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { V1Secret } from "@kubernetes/client-node";
import { parse } from "yaml";
import { apiVersion } from "../../operator/api/group.ts";
import type { KubeObject } from "../../operator/kube/objects.ts";
import { resourceTypes } from "../../operator/kube/resourceTypes.ts";
import type { ActivationStatus } from "../../operator/render/activation.ts";
import { openActivation } from "../../server/auth/activationSeal.ts";
import type { RecipientConfig, ServerConfig } from "../../server/config/schema.ts";
import { waitUntil } from "../ground/wait.ts";
import { type Cluster, type RunningOperator, startCluster, startOperator } from "./cluster.ts";
import { applyServerAndShare, profileFrom, waitForCondition } from "./resources.ts";

let cluster: Cluster;
let operator: RunningOperator;

const outsider = (rotation: number) =>
  ({
    apiVersion,
    kind: "DeltaRecipient",
    metadata: { name: "outsider" },
    spec: {
      serverRef: { name: "sharing" },
      shares: ["sales"],
      token: { rotation },
      activation: { expiresIn: "48h" },
    },
  }) as KubeObject;

async function configEntry(): Promise<RecipientConfig | undefined> {
  const secret = await cluster.get<V1Secret>(resourceTypes.secret, "sharing-config");
  const text = Buffer.from(secret?.data?.["config.yaml"] ?? "", "base64").toString("utf8");
  return (parse(text) as ServerConfig).recipients?.find((recipient) => recipient.name === "outsider");
}

async function statusLink(): Promise<ActivationStatus | undefined> {
  const recipient = await cluster.get<{ status?: { activation?: ActivationStatus } }>(
    resourceTypes.recipient,
    "outsider",
  );
  return recipient?.status?.activation;
}

/** Waits until the status shows a link (other than `not`) and the configuration carries that same link. */
async function servedLink(not?: string): Promise<ActivationStatus> {
  let link: ActivationStatus | undefined;
  await waitUntil(
    async () => {
      link = await statusLink();
      if (link === undefined || link.url === not) return false;
      return (await configEntry())?.activation?.codeSha256 === link.codeSha256;
    },
    { timeoutMs: 30_000, what: "the link in the status and the server's configuration" },
  );
  return link as ActivationStatus;
}

describe("the operator issues activation links", () => {
  before(async () => {
    cluster = await startCluster();
    operator = await startOperator(cluster.kube);
    await applyServerAndShare(cluster);
    await cluster.apply(outsider(0));
    await waitForCondition(cluster, resourceTypes.recipient, "outsider", {
      type: "Accepted",
      status: "True",
    });
  });

  after(async () => {
    await operator?.stop();
    await cluster?.stop();
  });

  it("the status carries the link, the configuration its seal, and the code opens the Secret's token", async () => {
    const link = await servedLink();
    const profile = await profileFrom(cluster, "outsider-share-profile");
    const recipient = await cluster.get<KubeObject>(resourceTypes.recipient, "outsider");
    assert.ok(
      !JSON.stringify(recipient).includes(profile.bearerToken),
      "the recipient never holds the token",
    );
    const hours = (Date.parse(link.expiresAt) - Date.now()) / 3_600_000;
    assert.ok(hours > 47 && hours <= 48, `expires in ${hours} h`);
    const entry = await configEntry();
    assert.ok(entry?.activation);
    const code = link.url.split("/activate/")[1] ?? "";
    const opened = JSON.parse(openActivation("outsider", entry.activation, code) ?? "null");
    assert.equal(opened.bearerToken, profile.bearerToken);
    assert.equal(opened.endpoint, profile.endpoint);
  });

  it("a rotation issues a new link for the new token", async () => {
    const before = await servedLink();
    await cluster.apply(outsider(1));
    const after = await servedLink(before.url);
    const profile = await profileFrom(cluster, "outsider-share-profile");
    const entry = await configEntry();
    assert.ok(entry?.activation);
    const code = after.url.split("/activate/")[1] ?? "";
    assert.equal(
      JSON.parse(openActivation("outsider", entry.activation, code) ?? "null").bearerToken,
      profile.bearerToken,
    );
  });
});
