import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nextConditions, readyFrom } from "../../operator/render/conditions.ts";
import { type Credentials, tokenSha256 } from "../../operator/render/credentials.ts";
import { type RecipientFacts, recipientStatus } from "../../operator/render/recipientStatus.ts";
import { serverStatus } from "../../operator/render/serverStatus.ts";
import { recipient, server } from "./resources.ts";

const t0 = new Date("2025-03-01T12:00:00Z");
const t1 = new Date("2025-03-01T13:00:00Z");

describe("status conditions", () => {
  it("keep lastTransitionTime while the status stays, and move it when the status changes", () => {
    const first = nextConditions(
      undefined,
      [{ type: "Ready", status: "False", reason: "A", message: "a" }],
      1,
      t0,
    );
    const sameStatus = nextConditions(
      first,
      [{ type: "Ready", status: "False", reason: "B", message: "b" }],
      2,
      t1,
    );
    assert.equal(sameStatus[0]?.lastTransitionTime, "2025-03-01T12:00:00Z");
    assert.equal(sameStatus[0]?.reason, "B");
    assert.equal(sameStatus[0]?.observedGeneration, 2);
    const flipped = nextConditions(
      sameStatus,
      [{ type: "Ready", status: "True", reason: "C", message: "c" }],
      2,
      t1,
    );
    assert.equal(flipped[0]?.lastTransitionTime, "2025-03-01T13:00:00Z");
  });

  it("Ready is True only when every other condition is, else carries the first failing reason", () => {
    assert.equal(readyFrom([{ type: "A", status: "True", reason: "x", message: "" }], "fine").status, "True");
    const ready = readyFrom(
      [
        { type: "A", status: "True", reason: "x", message: "" },
        { type: "B", status: "Unknown", reason: "Pending", message: "waiting" },
        { type: "C", status: "False", reason: "Broken", message: "broken" },
      ],
      "fine",
    );
    assert.deepEqual(ready, { type: "Ready", status: "Unknown", reason: "Pending", message: "waiting" });
  });

  it("a server is Ready when its configuration is written, its Deployment available and its pods serve it", () => {
    const theServer = server("s", { publicUrl: "https://sharing.example.com" });
    const outcome = { ok: true as const, shares: 1, recipients: 2, configSecretName: "s-config" };
    const waiting = {
      loaded: false as const,
      message: "1 of 2 ready pods still serve an earlier configuration",
    };
    const pending = serverStatus(theServer, outcome, undefined, waiting, "http://e", t0);
    assert.deepEqual(
      pending.conditions?.map((condition) => [condition.type, condition.status, condition.reason]),
      [
        ["Ready", "Unknown", "DeploymentPending"],
        ["ConfigRendered", "True", "ConfigWritten"],
        ["Available", "Unknown", "DeploymentPending"],
        ["Loaded", "Unknown", "DeploymentPending"],
        ["PublicEndpoint", "True", "PublicUrlSet"],
      ],
    );
    const deployment = {
      spec: { replicas: 2, selector: {}, template: {} },
      status: { availableReplicas: 2, conditions: [{ type: "Available", status: "True" }] },
    };
    const behind = serverStatus(theServer, outcome, deployment, waiting, "http://e", t0);
    assert.deepEqual(
      [behind.conditions?.[0]?.status, behind.conditions?.[0]?.reason, behind.conditions?.[0]?.message],
      ["Unknown", "WaitingForPods", waiting.message],
    );
    const available = serverStatus(theServer, outcome, deployment, { loaded: true, pods: 2 }, "http://e", t0);
    assert.equal(available.conditions?.[0]?.status, "True");
    assert.equal(available.conditions?.[0]?.message, "serving at http://e");
    assert.equal(available.availableReplicas, 2);
    assert.equal(available.shares, 1);
    const invalid = serverStatus(
      theServer,
      { ok: false, reason: "InvalidConfig", message: "m" },
      undefined,
      waiting,
      "e",
      t0,
    );
    assert.equal(invalid.conditions?.[0]?.reason, "InvalidConfig");
  });

  it("a server without publicUrl is Ready for in-cluster use, and says its profiles name an in-cluster address", () => {
    const outcome = { ok: true as const, shares: 1, recipients: 2, configSecretName: "s-config" };
    const deployment = {
      spec: { replicas: 1, selector: {}, template: {} },
      status: { availableReplicas: 1, conditions: [{ type: "Available", status: "True" }] },
    };
    const endpoint = "http://s.default.svc:8080/delta-sharing";
    const status = serverStatus(server("s"), outcome, deployment, { loaded: true, pods: 1 }, endpoint, t0);
    assert.equal(status.conditions?.[0]?.status, "True");
    assert.match(status.conditions?.[0]?.message ?? "", /in-cluster only/);
    const publicEndpoint = status.conditions?.find((condition) => condition.type === "PublicEndpoint");
    assert.equal(publicEndpoint?.status, "False");
    assert.equal(publicEndpoint?.reason, "InClusterAddress");
    assert.match(publicEndpoint?.message ?? "", /http:\/\/s\.default\.svc:8080\/delta-sharing/);
  });

  it("a recipient shows its token expiry and why it is not ready", () => {
    const reader = recipient("r", { serverRef: { name: "s" }, shares: ["a"] });
    const credentials: Credentials = {
      token: "t".repeat(43),
      rotation: 1,
      issuedAt: "2025-03-01T00:00:00Z",
      expiresAt: "2025-03-02T00:00:00Z",
      previous: { sha256: tokenSha256("old"), expiresAt: "2025-03-01T18:00:00Z" },
    };
    const facts: RecipientFacts = {
      serverName: "s",
      serverFound: true,
      secretName: "r-share-profile",
      secretConflict: false,
      credentials,
      endpoint: "http://e/delta-sharing",
      unknownShares: [],
      acceptedByServer: true,
      loading: { loaded: true, pods: 2 },
    };
    const ready = recipientStatus(reader, facts, t0);
    assert.equal(ready.conditions?.[0]?.status, "True");
    assert.equal(ready.tokenExpiresAt, "2025-03-02T00:00:00Z");
    assert.equal(ready.previousTokenExpiresAt, "2025-03-01T18:00:00Z");
    assert.equal(ready.tokenRotation, 1);
    const reason = (changes: Partial<RecipientFacts>, at = t0) =>
      recipientStatus(reader, { ...facts, ...changes }, at).conditions?.[0]?.reason;
    assert.equal(reason({ unknownShares: ["a"] }), "UnknownShare");
    assert.equal(reason({ serverFound: false, credentials: undefined }), "ServerNotFound");
    assert.equal(reason({ secretConflict: true, credentials: undefined }), "SecretConflict");
    assert.equal(reason({}, new Date("2025-03-03T00:00:00Z")), "TokenExpired");
    assert.equal(reason({ acceptedByServer: false }), "Pending");
    assert.equal(reason({ loading: { loaded: false, message: "no ready pod" } }), "WaitingForPods");
  });

  it("a recipient's conditions never contradict: a missing server leaves the others unjudged", () => {
    const reader = recipient("r", { serverRef: { name: "gone" }, shares: ["a"] });
    const status = recipientStatus(
      reader,
      {
        serverName: "gone",
        serverFound: false,
        secretName: "r-share-profile",
        secretConflict: false,
        credentials: undefined,
        endpoint: undefined,
        unknownShares: [],
        acceptedByServer: false,
      },
      t0,
    );
    assert.deepEqual(
      status.conditions?.map((condition) => [condition.type, condition.status, condition.reason]),
      [
        ["Ready", "False", "ServerNotFound"],
        ["CredentialsIssued", "False", "ServerNotFound"],
        ["SharesGranted", "Unknown", "ServerNotFound"],
        ["Accepted", "Unknown", "ServerNotFound"],
        ["Loaded", "Unknown", "ServerNotFound"],
      ],
    );
    assert.ok(status.conditions?.every((condition) => condition.status !== "True"));
  });
});
