// Issue 18, the operator's side: a DeltaRecipient with spec.activation gets a one-time link in its
// status, kept across reconciles, renewed by a new token or a raised spec.activation.issue; the
// server configuration rendered from it passes the server's own schema, and the code in the link
// (and only that code) opens the sealed profile to the recipient's current token; and the server of
// a recipient with a link gets the Lease-only Role and API token its pods spend links with.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { V1Deployment } from "@kubernetes/client-node";
import { type ActivationStatus, planActivation } from "../../operator/render/activation.ts";
import {
  kubeApiVolumeName,
  renderActivationBinding,
  renderLeaseStoreClusterRole,
  servesActivationLinks,
} from "../../operator/render/activationAccess.ts";
import { renderProfile } from "../../operator/render/credentialSecret.ts";
import { type Credentials, planCredentials, tokenSha256 } from "../../operator/render/credentials.ts";
import { renderDeployment } from "../../operator/render/deployment.ts";
import { renderRecipientConfig } from "../../operator/render/recipientConfig.ts";
import { renderServerConfig, serverConfigText } from "../../operator/render/serverConfig.ts";
import { leaseStoreRules, serviceAccountDirEnv } from "../../server/auth/activationLeases.ts";
import { openActivation, sealActivation } from "../../server/auth/activationSeal.ts";
import { parseConfigText } from "../../server/config/load.ts";
import { recipient, server } from "./resources.ts";

const endpoint = "https://sharing.example.com/delta-sharing";
const now = new Date("2026-11-30T00:00:00Z");
const policy = { defaultLifetime: "90d" };
let tokens = 0;
const makeToken = () => `token-${++tokens}`.padEnd(43, "x");

function plan(
  spec: { expiresIn?: string; issue?: number } | undefined,
  current: ActivationStatus | undefined,
  credentials: Credentials,
) {
  const profile = JSON.parse(renderProfile(endpoint, credentials)) as object;
  return planActivation("outsider", spec, current, credentials, profile, endpoint, now, sealActivation);
}

const mountsKubeApi = (deployment: V1Deployment) =>
  deployment.spec?.template.spec?.volumes?.some((volume) => volume.name === kubeApiVolumeName) ?? false;

const codeOf = (status: ActivationStatus) => status.url.slice(`${endpoint}/activate/`.length);

describe("activation links from DeltaRecipients", () => {
  const first = planCredentials(undefined, undefined, now, makeToken, policy).credentials;

  it("none without spec.activation; with it, a link (72h by default) that only its code opens", () => {
    assert.equal(plan(undefined, undefined, first), undefined);
    const link = plan({}, undefined, first);
    assert.ok(link);
    assert.match(link.url, /^https:\/\/sharing\.example\.com\/delta-sharing\/activate\/[A-Za-z0-9_-]{43}$/);
    assert.equal(Date.parse(link.expiresAt) - now.getTime(), 72 * 3_600_000);
    assert.equal(link.tokenSha256, tokenSha256(first.token));
    assert.ok(!JSON.stringify(link).includes(first.token), "the status never holds the token");
    const opened = JSON.parse(openActivation("outsider", link, codeOf(link)) ?? "null");
    assert.equal(opened.bearerToken, first.token);
    assert.equal(opened.endpoint, endpoint);
    assert.equal(openActivation("outsider", link, "A".repeat(43)), undefined);
  });

  it("kept across reconciles; renewed by a rotation or a raised issue", () => {
    const link = plan({ expiresIn: "24h" }, undefined, first);
    assert.ok(link);
    assert.equal(plan({ expiresIn: "24h" }, link, first), link);
    const rotated = planCredentials(first, { rotation: 1 }, now, makeToken, policy).credentials;
    const afterRotation = plan({ expiresIn: "24h" }, link, rotated);
    assert.ok(afterRotation && afterRotation.url !== link.url);
    assert.equal(afterRotation.tokenSha256, tokenSha256(rotated.token));
    const reissued = plan({ expiresIn: "24h", issue: 1 }, afterRotation, rotated);
    assert.ok(reissued && reissued.url !== afterRotation.url && reissued.issue === 1);
  });

  it("the server configuration carries the current token's link, and the server accepts it", () => {
    const link = plan({}, undefined, first);
    assert.ok(link);
    const outsider = recipient("outsider", { serverRef: { name: "sharing" }, shares: [], activation: {} });
    outsider.status = { activation: link };
    const rendered = renderRecipientConfig(outsider, first, new Map()).config;
    assert.deepEqual(rendered.activation, {
      codeSha256: link.codeSha256,
      expiresAt: link.expiresAt,
      sealedProfile: link.sealedProfile,
    });
    const loaded = parseConfigText(
      serverConfigText(renderServerConfig(server("sharing"), [], [rendered])),
      "c.yaml",
    );
    assert.equal(loaded.recipients?.[0]?.activation?.codeSha256, link.codeSha256);
    // a link made for an earlier token is not rendered: it would hand out a token no longer accepted
    const rotated = planCredentials(first, { rotation: 1 }, now, makeToken, policy).credentials;
    assert.equal(renderRecipientConfig(outsider, rotated, new Map()).config.activation, undefined);
    // nor without spec.activation
    const { activation: _dropped, ...spec } = outsider.spec;
    assert.equal(renderRecipientConfig({ ...outsider, spec }, first, new Map()).config.activation, undefined);
  });

  it("a server whose recipient has a link gets a binding to the Lease-only role and an API token volume; others none", () => {
    const sharing = server("sharing", { activation: { contact: "data-team@example.com" } });
    const plain = renderDeployment(sharing, { defaultImage: "x" });
    assert.equal(mountsKubeApi(plain), false);
    assert.equal(plain.spec?.template.spec?.automountServiceAccountToken, false);
    const withLinks = renderDeployment(sharing, { defaultImage: "x", activationLinks: true });
    assert.equal(mountsKubeApi(withLinks), true);
    assert.equal(withLinks.spec?.template.spec?.automountServiceAccountToken, false, "only its own volume");
    const volume = withLinks.spec?.template.spec?.volumes?.find((each) => each.projected);
    assert.deepEqual(
      volume?.projected?.sources?.map((source) => Object.keys(source)[0]),
      ["serviceAccountToken", "configMap", "downwardAPI"],
    );
    const container = withLinks.spec?.template.spec?.containers[0];
    const mount = container?.volumeMounts?.find((each) => each.name === volume?.name);
    assert.equal(mount?.readOnly, true);
    assert.deepEqual(
      container?.env?.find((each) => each.name === serviceAccountDirEnv)?.value,
      mount?.mountPath,
    );

    const role = renderLeaseStoreClusterRole("dso-activation");
    assert.deepEqual(role.rules, leaseStoreRules);
    assert.deepEqual(role.rules, [
      { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create", "get"] },
    ]);
    const binding = renderActivationBinding(sharing, "dso-activation");
    assert.deepEqual(binding.roleRef, {
      apiGroup: "rbac.authorization.k8s.io",
      kind: "ClusterRole",
      name: "dso-activation",
    });
    assert.equal(binding.metadata?.namespace, sharing.metadata.namespace);
    assert.deepEqual(binding.subjects, [
      { kind: "ServiceAccount", name: "sharing", namespace: sharing.metadata.namespace },
    ]);

    const config = parseConfigText(serverConfigText(renderServerConfig(sharing, [], [])), "c.yaml");
    assert.equal(config.activation?.contact, "data-team@example.com");

    const asking = recipient("outsider", { serverRef: { name: "sharing" }, shares: [], activation: {} });
    const other = recipient("insider", { serverRef: { name: "sharing" }, shares: [] });
    assert.equal(servesActivationLinks([other, asking]), true);
    assert.equal(servesActivationLinks([other]), false);
    const leaving = {
      ...asking,
      metadata: { ...asking.metadata, deletionTimestamp: "2026-11-30T00:00:00Z" },
    };
    assert.equal(servesActivationLinks([leaving]), false);
  });
});
