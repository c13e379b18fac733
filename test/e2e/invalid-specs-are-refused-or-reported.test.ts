// Invalid specs: what the API server can judge alone it refuses (CEL rules and schema in the
// CRDs); what needs other objects the operator reports in status with a clear reason, and it
// keeps running and serving everything else.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { V1Secret } from "@kubernetes/client-node";
import { apiVersion } from "../../operator/api/group.ts";
import { KubeApiError } from "../../operator/kube/client.ts";
import type { KubeObject } from "../../operator/kube/objects.ts";
import { resourceTypes } from "../../operator/kube/resourceTypes.ts";
import { waitUntil } from "../ground/wait.ts";
import { type Cluster, type RunningOperator, startCluster, startOperator } from "./cluster.ts";
import { condition, type WithStatus, waitForCondition } from "./resources.ts";

const { server: serverType, share: shareType, recipient: recipientType } = resourceTypes;

let cluster: Cluster;
let operator: RunningOperator;

const object = (kind: string, name: string, spec: Record<string, unknown>) =>
  ({ apiVersion, kind, metadata: { name }, spec }) as KubeObject;
const table = (name: string, location: string) => ({ name, location });
const shareSpec = (server: string, tables: { name: string; location: string }[], extra = {}) => ({
  serverRef: { name: server },
  schemas: [{ name: "main", tables }],
  ...extra,
});

async function refused(candidate: KubeObject, message: RegExp, status = 422): Promise<void> {
  await assert.rejects(cluster.apply(candidate), (error: unknown) => {
    assert.ok(error instanceof KubeApiError, String(error));
    assert.equal(error.status, status);
    assert.match(error.message, message);
    return true;
  });
}

before(async () => {
  cluster = await startCluster();
  operator = await startOperator(cluster.kube, { identity: "invalid-specs" });
});

after(async () => {
  await operator?.stop();
  await cluster?.stop();
});

describe("the API server refuses, by the CRDs' schema and CEL rules", () => {
  it("table locations that are not s3:// or s3a:// URIs", async () => {
    await refused(
      object("DeltaShare", "local", shareSpec("s", [table("t", "/data/t")])),
      /location must be an s3:\/\/ or s3a:\/\/ URI/,
    );
    await refused(
      object("DeltaShare", "file", shareSpec("s", [table("t", "file:///data/t")])),
      /s3:\/\/ or s3a:\/\//,
    );
  });

  it("a table or schema name given twice, and a share without serverRef", async () => {
    const twice = object(
      "DeltaShare",
      "twice",
      shareSpec("s", [table("t", "s3://bucket/a"), table("t", "s3://bucket/b")]),
    );
    await assert.rejects(
      cluster.client.create(
        "/apis/sharing.delta-sharing-operator.dev/v1alpha1/namespaces/default/deltashares",
        twice,
      ),
      /422 .*Duplicate value: \{"name":"t"\}/,
    );
    // server-side apply cannot even merge a list whose keys repeat (the API server answers 500)
    await refused(twice, /duplicate entries for key \[name="t"\]/, 500);
    await refused(object("DeltaShare", "no-server", { schemas: [] }), /serverRef: Required value/);
  });

  it("share properties beyond the protocol's limits", async () => {
    const withProperties = (name: string, properties: Record<string, string>) =>
      object("DeltaShare", name, shareSpec("s", [table("t", "s3://bucket/t")], { properties }));
    await refused(
      withProperties("long-key", { ["k".repeat(256)]: "v" }),
      /property keys must be at most 255/,
    );
    await refused(withProperties("long-value", { k: "v".repeat(1001) }), /property keys must be at most 255/);
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, index) => [`k${index}`, "v"]));
    await refused(withProperties("many", many), /must have at most 50 items|Too many/);
  });

  it("server specs that contradict themselves", async () => {
    await refused(
      object("DeltaSharingServer", "both", {
        aws: { roleArn: "arn:aws:iam::111122223333:role/r", podIdentity: true },
      }),
      /choose roleArn \(IRSA\) or podIdentity, not both/,
    );
    await refused(
      object("DeltaSharingServer", "budget", { podDisruptionBudget: { minAvailable: 1, maxUnavailable: 1 } }),
      /set exactly one of minAvailable and maxUnavailable/,
    );
    await refused(
      object("DeltaSharingServer", "slash", { publicUrl: "https://x.example/" }),
      /must not end with a slash/,
    );
    await refused(
      object("DeltaSharingServer", "bind", { bindAddress: "localhost" }),
      /bindAddress must be an IP address/,
    );
    await refused(object("DeltaSharingServer", "arn", { aws: { roleArn: "role/r" } }), /roleArn/);
    await refused(
      object("DeltaSharingServer", "proxies", { trustedProxies: ["10.0.0.0/8", "alb"] }),
      /every entry must be a CIDR/,
    );
    await refused(
      object("DeltaSharingServer", "policy", { service: { externalTrafficPolicy: "Local" } }),
      /externalTrafficPolicy needs type NodePort or LoadBalancer/,
    );
    await refused(object("DeltaSharingServer", "ports", { port: 9090 }), /opsPort must differ from port/);
    await refused(object("DeltaSharingServer", "level", { logLevel: "loud" }), /Unsupported value: "loud"/);
    await refused(object("DeltaSharingServer", "a.b", {}), /must be a DNS label/);
  });

  it("recipient specs: bad CIDRs and durations, a lowered rotation, a changed serverRef or Secret name", async () => {
    await refused(
      object("DeltaRecipient", "cidr", {
        serverRef: { name: "s" },
        shares: [],
        allowedIpRanges: ["10.0.0.0/33"],
      }),
      /every allowedIpRanges entry must be a CIDR/,
    );
    // refused in words, not with the regular expression
    await refused(
      object("DeltaRecipient", "days", {
        serverRef: { name: "s" },
        shares: [],
        token: { lifetime: "90 days" },
      }),
      /spec\.token\.lifetime: Invalid value: "90 days": must be 'never' or a duration such as 90d, 36h, 15m, 30s or 1h30m$/,
    );
    await refused(
      object("DeltaRecipient", "days", {
        serverRef: { name: "s" },
        shares: [],
        token: { gracePeriod: "1 day" },
      }),
      /spec\.token\.gracePeriod: Invalid value: "1 day": must be a duration such as 90d, 36h, 15m, 30s or 1h30m$/,
    );
    await cluster.apply(
      object("DeltaRecipient", "r", {
        serverRef: { name: "s" },
        shares: [],
        token: { rotation: 2 },
        credentialSecretName: "r-profile",
      }),
    );
    await refused(
      object("DeltaRecipient", "r", {
        serverRef: { name: "s" },
        shares: [],
        token: { rotation: 1 },
        credentialSecretName: "r-profile",
      }),
      /token.rotation can only increase/,
    );
    await refused(
      object("DeltaRecipient", "r", {
        serverRef: { name: "t" },
        shares: [],
        token: { rotation: 2 },
        credentialSecretName: "r-profile",
      }),
      /serverRef is immutable/,
    );
    await refused(
      object("DeltaRecipient", "r", {
        serverRef: { name: "s" },
        shares: [],
        token: { rotation: 2 },
        credentialSecretName: "other",
      }),
      /credentialSecretName is immutable/,
    );
  });
});

describe("the operator reports in status what needs other objects to judge", () => {
  it("a missing server, then in its configuration once the server exists (Ready waits for its pods)", async () => {
    await cluster.apply(object("DeltaShare", "orphan", shareSpec("later", [table("t", "s3://bucket-a/t")])));
    await cluster.apply(
      object("DeltaRecipient", "waiting", { serverRef: { name: "later" }, shares: ["orphan"] }),
    );
    const share = await waitForCondition(cluster, shareType, "orphan", {
      status: "False",
      reason: "ServerNotFound",
    });
    assert.equal(condition(share, "Ready")?.message, "DeltaSharingServer later does not exist");
    const recipient = await waitForCondition(cluster, recipientType, "waiting", {
      status: "False",
      reason: "ServerNotFound",
    });
    assert.equal(recipient.status?.credentialSecretName, "waiting-share-profile");
    assert.equal(
      await cluster.get(resourceTypes.secret, "waiting-share-profile"),
      undefined,
      "no token without a server",
    );

    // nothing else may claim success while the server is missing
    // (only the share's own spec may be judged valid without it)
    for (const each of [...(share.status?.conditions ?? []), ...(recipient.status?.conditions ?? [])])
      if (each.type !== "Valid")
        assert.notEqual(each.status, "True", `${each.type} ${each.reason}: ${each.message}`);

    await cluster.apply(object("DeltaSharingServer", "later", {}));
    await waitForCondition(cluster, shareType, "orphan", { type: "Served", status: "True" });
    await waitForCondition(cluster, recipientType, "waiting", { type: "Accepted", status: "True" });
    // no pod runs here: neither is Ready, and the reason says what it waits for
    await waitForCondition(cluster, shareType, "orphan", { status: "Unknown", reason: "WaitingForPods" });
    await waitForCondition(cluster, recipientType, "waiting", {
      status: "Unknown",
      reason: "WaitingForPods",
    });
  });

  it("a grant of an unknown share; the known grants still apply", async () => {
    await cluster.apply(
      object("DeltaRecipient", "greedy", { serverRef: { name: "later" }, shares: ["orphan", "nothing"] }),
    );
    const recipient = await waitForCondition(cluster, recipientType, "greedy", {
      status: "False",
      reason: "UnknownShare",
    });
    assert.match(condition(recipient, "Ready")?.message ?? "", /serves no share named 'nothing'/);
    assert.equal(condition(recipient, "CredentialsIssued")?.status, "True");
    await waitForCondition(cluster, recipientType, "greedy", { type: "Accepted", status: "True" });
  });

  it("an invalid location: the table is left out, the rest of the share is served", async () => {
    await cluster.apply(
      object(
        "DeltaShare",
        "partly",
        shareSpec("later", [table("good", "s3://bucket-a/good"), table("bad", "s3://Bad_Bucket/x")]),
      ),
    );
    const share = await waitForCondition(cluster, shareType, "partly", {
      status: "False",
      reason: "InvalidLocation",
    });
    assert.match(
      condition(share, "Ready")?.message ?? "",
      /table main\.bad: location s3:\/\/Bad_Bucket\/x names 'Bad_Bucket'/,
    );
    assert.equal(share.status?.tables, 1);
    await waitForCondition(cluster, shareType, "partly", { type: "Served", status: "True" });
  });

  it("names that differ only in case, and two DeltaShares claiming one share name", async () => {
    await cluster.apply(
      object(
        "DeltaShare",
        "cased",
        shareSpec("later", [table("Trips", "s3://bucket-a/a"), table("trips", "s3://bucket-a/b")]),
      ),
    );
    await waitForCondition(cluster, shareType, "cased", { status: "False", reason: "DuplicateName" });
    await cluster.apply(
      object(
        "DeltaShare",
        "impostor",
        shareSpec("later", [table("t", "s3://bucket-a/t")], { shareName: "ORPHAN" }),
      ),
    );
    const impostor = await waitForCondition(cluster, shareType, "impostor", {
      status: "False",
      reason: "ShareNameConflict",
    });
    assert.match(condition(impostor, "Ready")?.message ?? "", /already served by DeltaShare orphan/);
    await waitForCondition(cluster, shareType, "orphan", { type: "Served", status: "True" });
  });

  it("a credential Secret name taken by a Secret the recipient does not control", async () => {
    const path = "/api/v1/namespaces/default/secrets";
    await cluster.client.create(path, {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "taken" },
      stringData: { note: "someone else's" },
    });
    await cluster.apply(
      object("DeltaRecipient", "squatter", {
        serverRef: { name: "later" },
        shares: ["orphan"],
        credentialSecretName: "taken",
      }),
    );
    await waitForCondition(cluster, recipientType, "squatter", { status: "False", reason: "SecretConflict" });
    const secret = await cluster.get<V1Secret>(resourceTypes.secret, "taken");
    assert.deepEqual(Object.keys(secret?.data ?? {}), ["note"], "the foreign Secret is left alone");
  });

  it("a credential Secret that lost its labels is taken back, with its token", async () => {
    const name = "waiting-share-profile";
    const before = await cluster.get<V1Secret>(resourceTypes.secret, name);
    await cluster.client.mergePatch(`/api/v1/namespaces/default/secrets/${name}`, {
      metadata: { labels: null },
    });
    await waitUntil(
      async () =>
        (await cluster.get<V1Secret>(resourceTypes.secret, name))?.metadata?.labels?.[
          "app.kubernetes.io/managed-by"
        ] === "delta-sharing-operator",
      { timeoutMs: 20_000, what: "the labels to be restored" },
    );
    const after = await cluster.get<V1Secret>(resourceTypes.secret, name);
    assert.equal(after?.data?.["config.share"], before?.data?.["config.share"], "the token is kept");
    await waitForCondition(cluster, recipientType, "waiting", { type: "Accepted", status: "True" });
  });

  it("none of this stops the operator or the server", async () => {
    assert.equal(operator.process.child.exitCode, null);
    assert.equal((await fetch(`${operator.healthUrl}/healthz`)).status, 200);
    assert.equal((await fetch(`${operator.healthUrl}/readyz`)).status, 200);
    const metrics = await (await fetch(`${operator.healthUrl}/metrics`)).text();
    assert.match(metrics, /delta_sharing_operator_leader 1/);
    assert.match(metrics, /delta_sharing_operator_reconcile_total\{kind="recipient",result="success"\} \d+/);
    // orphan, partly and cased are served (partly and cased in part); impostor is not
    await waitUntil(async () => (await cluster.get<WithStatus>(serverType, "later"))?.status?.shares === 3, {
      timeoutMs: 10_000,
      what: "the server to serve three shares",
    });
    await waitForCondition(cluster, serverType, "later", { type: "ConfigRendered", status: "True" });
  });
});
