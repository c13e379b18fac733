// A federated recipient from a DeltaRecipient resource, end to end: the operator writes its
// federation policy into the server's configuration (no token of ours) and a v2
// oauth_client_credentials profile template into its credential Secret (no secret in it); the
// recipient adds the client secret its identity provider (a real OIDC issuer on loopback) gave it,
// and the official Python client reads a table through the server the Deployment runs.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { V1Secret } from "@kubernetes/client-node";
import { apiVersion } from "../../operator/api/group.ts";
import type { KubeObject } from "../../operator/kube/objects.ts";
import { resourceTypes } from "../../operator/kube/resourceTypes.ts";
import { profileKey } from "../../operator/render/credentialSecret.ts";
import { clientSecretPlaceholder, type OAuthProfile } from "../../server/auth/oauthProfile.ts";
import { type Row, readTable, sortRows } from "../fixtures/tables.ts";
import { type OidcIssuer, sharingAudience, sharingScope, startOidcIssuer } from "../ground/oidcIssuer.ts";
import { freePort } from "../ground/ports.ts";
import { runPythonJson } from "../ground/python.ts";
import type { Cluster } from "./cluster.ts";
import type { RunningPod } from "./kubelet.ts";
import { storedConfig, waitForCondition, waitForPodsOnly } from "./resources.ts";
import { mobilityShare, type SampleGround, sampleTables, startSampleGround } from "./sampleGround.ts";

let ground: SampleGround;
let cluster: Cluster;
let issuer: OidcIssuer;
let pod: RunningPod | undefined;
let port: number;
let scratch: string;

const federated = (name: string, extra: Record<string, unknown> = {}) =>
  ({
    apiVersion,
    kind: "DeltaRecipient",
    metadata: { name },
    spec: {
      serverRef: { name: "sharing" },
      shares: ["mobility"],
      federation: {
        issuer: issuer.issuer,
        audiences: [sharingAudience],
        scopes: [sharingScope],
        subjectClaim: "client_id",
        subject: "partner-client",
        tokenEndpoint: issuer.tokenEndpoint,
      },
      ...extra,
    },
  }) as unknown as KubeObject;

before(async () => {
  [ground, issuer] = await Promise.all([
    startSampleGround("e2e-federated", "dso-e2e-federated-"),
    startOidcIssuer(["partner-client"]),
  ]);
  ({ cluster, scratch } = ground);
  port = await freePort();
});

after(async () => {
  await Promise.all([ground?.stop(), issuer?.close()]);
});

describe("the operator serves a federated recipient", () => {
  it("refuses a federation policy beside a token or an activation link", async () => {
    await assert.rejects(cluster.apply(federated("both", { token: { lifetime: "24h" } })), (error: Error) => {
      assert.match(String(error.message ?? error), /set token or federation, not both/);
      return true;
    });
    await assert.rejects(
      cluster.apply(federated("linked", { activation: { expiresIn: "72h" } })),
      (error: Error) => {
        assert.match(String(error.message ?? error), /a federated recipient has none/);
        return true;
      },
    );
  });

  it("renders the policy into the configuration and a profile template into the Secret", async () => {
    await cluster.apply(ground.serverResource({ port, opsPort: await freePort() }));
    await cluster.apply(mobilityShare());
    await cluster.apply(federated("partner"));

    // in the configuration, but no pod runs it yet: not Ready to read
    const recipient = await waitForPodsOnly(cluster, resourceTypes.recipient, "partner");
    assert.deepEqual(
      recipient.status?.conditions?.map((each) => [each.type, each.status, each.reason]),
      [
        ["Ready", "Unknown", "WaitingForPods"],
        ["CredentialsIssued", "True", "FederationPolicy"],
        ["SharesGranted", "True", "SharesServed"],
        ["Accepted", "True", "InServerConfig"],
        ["Loaded", "Unknown", "WaitingForPods"],
      ],
    );
    assert.equal(recipient.status?.tokenRotation, undefined, "no token of ours");

    const config = await storedConfig(cluster);
    const entry = config.recipients?.find((each) => each.name === "partner");
    assert.deepEqual(entry?.tokens, []);
    assert.deepEqual(entry?.federation, {
      issuer: issuer.issuer,
      audiences: [sharingAudience],
      scopes: [sharingScope],
      subjectClaim: "client_id",
      subject: "partner-client",
    });

    const secret = await cluster.get<V1Secret>(resourceTypes.secret, "partner-share-profile");
    const profile = JSON.parse(Buffer.from(secret?.data?.[profileKey] ?? "", "base64").toString("utf8"));
    assert.deepEqual(profile, {
      shareCredentialsVersion: 2,
      type: "oauth_client_credentials",
      endpoint: `http://127.0.0.1:${port}/delta-sharing`,
      tokenEndpoint: issuer.tokenEndpoint,
      clientId: "partner-client",
      clientSecret: clientSecretPlaceholder,
      scope: sharingScope,
    } satisfies OAuthProfile);
    const client = issuer.clients[0];
    assert.ok(client);
    assert.ok(!JSON.stringify(secret).includes(client.clientSecret));
    assert.ok(!JSON.stringify(config).includes(client.clientSecret));
  });

  it("the official Python client reads a table with the profile and its identity provider's secret", async () => {
    pod = await ground.runServerPod();
    await waitForCondition(cluster, resourceTypes.server, "sharing", { status: "True", reason: "Serving" });
    await waitForCondition(cluster, resourceTypes.recipient, "partner", {
      status: "True",
      reason: "CredentialsReady",
    });

    const secret = await cluster.get<V1Secret>(resourceTypes.secret, "partner-share-profile");
    const template = JSON.parse(Buffer.from(secret?.data?.[profileKey] ?? "", "base64").toString("utf8"));
    const clientSecret = issuer.clients[0]?.clientSecret ?? "";
    const path = join(scratch, "partner.share");
    await writeFile(path, JSON.stringify({ ...template, clientSecret }), { mode: 0o600 });
    const read = await runPythonJson<{ rows?: Row[]; error?: string }>("test/fixtures/recipient.py", [
      JSON.stringify({ op: "load", profile: path, table: "mobility.bikes.trips" }),
    ]);
    assert.equal(read.error, undefined);
    const expected = await readTable(join(sampleTables, "trips"));
    assert.deepEqual(
      sortRows(read.rows ?? []),
      sortRows(expected.versions[String(expected.latestVersion)] ?? []),
    );
    assert.ok((read.rows?.length ?? 0) > 0);
    assert.ok(!(pod.process.output() ?? "").includes(clientSecret), "the server logged no secret");
  });
});
