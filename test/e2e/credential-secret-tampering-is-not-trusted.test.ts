// Issue 13, reproduction 8: the operator read token lifetimes back from the credential Secret's
// annotations, so whoever could edit that Secret could extend a token or plant a hidden second one.
// On a real API server with the operator running: edited annotations change nothing in the
// server's configuration, and a token planted in the profile is never accepted.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { V1Secret } from "@kubernetes/client-node";
import { parse } from "yaml";
import { apiVersion, group } from "../../operator/api/group.ts";
import type { KubeObject } from "../../operator/kube/objects.ts";
import { objectPath, resourceTypes } from "../../operator/kube/resourceTypes.ts";
import { profileKey } from "../../operator/render/credentialSecret.ts";
import { tokenSha256 } from "../../operator/render/credentials.ts";
import type { RecipientConfig, ServerConfig } from "../../server/config/schema.ts";
import { waitUntil } from "../ground/wait.ts";
import { type Cluster, type RunningOperator, startCluster, startOperator } from "./cluster.ts";
import { applyServerAndShare, profileFrom, type WithStatus, waitForCondition } from "./resources.ts";

let cluster: Cluster;
let operator: RunningOperator;
const secretName = "partner-share-profile";

async function partnerTokens(): Promise<RecipientConfig["tokens"]> {
  const secret = await cluster.get<V1Secret>(resourceTypes.secret, "sharing-config");
  const text = Buffer.from(secret?.data?.["config.yaml"] ?? "", "base64").toString("utf8");
  const config = parse(text) as ServerConfig;
  const partner = config.recipients?.find((recipient) => recipient.name === "partner");
  assert.ok(partner, "partner is in the server's configuration");
  return partner.tokens;
}

describe("the credential Secret cannot extend or add a token", () => {
  before(async () => {
    cluster = await startCluster();
    operator = await startOperator(cluster.kube);
    await applyServerAndShare(cluster);
    await cluster.apply({
      apiVersion,
      kind: "DeltaRecipient",
      metadata: { name: "partner" },
      spec: { serverRef: { name: "sharing" }, shares: ["sales"], token: { lifetime: "1h" } },
    } as KubeObject);
    // no pod runs here: the written configuration accepting the token is what is awaited
    await waitForCondition(cluster, resourceTypes.recipient, "partner", { type: "Accepted", status: "True" });
  });

  after(async () => {
    await operator?.stop();
    await cluster?.stop();
  });

  it("edited annotations change nothing the server accepts", async () => {
    const issued = await profileFrom(cluster, secretName);
    const before = await partnerTokens();
    assert.deepEqual(before, [{ sha256: tokenSha256(issued.bearerToken), expiresAt: issued.expirationTime }]);
    const planted = "planted-token-".padEnd(43, "p");
    await cluster.apply(
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: {
          name: secretName,
          annotations: {
            [`${group}/token-issued-at`]: "2099-01-01T00:00:00Z",
            [`${group}/previous-token-sha256`]: tokenSha256(planted),
            [`${group}/previous-token-expires-at`]: "2099-01-01T00:00:00Z",
          },
        },
      } as KubeObject,
      "someone-with-secret-access",
    );
    // a change the operator sees at once: the recipient's own spec
    await cluster.apply({
      apiVersion,
      kind: "DeltaRecipient",
      metadata: { name: "partner", labels: { touched: "yes" } },
      spec: { serverRef: { name: "sharing" }, shares: ["sales"], token: { lifetime: "1h" } },
    } as KubeObject);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.deepEqual(await partnerTokens(), before);
    assert.equal((await profileFrom(cluster, secretName)).bearerToken, issued.bearerToken);
  });

  it("a token planted in the profile is replaced by a fresh one, never accepted", async () => {
    const issued = await profileFrom(cluster, secretName);
    const planted = "planted-token-".padEnd(43, "q");
    const secret = await cluster.get<V1Secret>(resourceTypes.secret, secretName);
    const profile = { ...issued, bearerToken: planted, expirationTime: "2099-01-01T00:00:00Z" };
    await cluster.client.mergePatch(objectPath(resourceTypes.secret, "default", secretName), {
      metadata: { resourceVersion: secret?.metadata?.resourceVersion },
      data: { [profileKey]: Buffer.from(JSON.stringify(profile)).toString("base64") },
    });
    await waitUntil(
      async () => {
        const now = await profileFrom(cluster, secretName);
        return now.bearerToken !== planted && now.bearerToken !== issued.bearerToken;
      },
      { timeoutMs: 20_000, what: "the operator to replace the planted token" },
    );
    const fresh = await profileFrom(cluster, secretName);
    await waitUntil(async () => (await partnerTokens())[0]?.sha256 === tokenSha256(fresh.bearerToken), {
      timeoutMs: 20_000,
      what: "the server's configuration to hold the fresh token",
    });
    const tokens = await partnerTokens();
    assert.ok(
      !tokens.some((token) => token.sha256 === tokenSha256(planted)),
      "the planted token is not accepted",
    );
    assert.equal(tokens.length, 1);
    assert.ok(Date.parse(tokens[0]?.expiresAt ?? "") < Date.now() + 2 * 3_600_000, "no extended lifetime");
    const recipient = await cluster.get<WithStatus>(resourceTypes.recipient, "partner");
    assert.equal(recipient?.status?.tokenSha256, tokenSha256(fresh.bearerToken));
  });
});
