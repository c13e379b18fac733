import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nextConditions, readyFrom } from "../../operator/render/conditions.ts";
import { type Credentials, tokenSha256 } from "../../operator/render/credentials.ts";
import { recipientStatus } from "../../operator/render/recipientStatus.ts";
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

  it("a server is Ready when its configuration is written and its Deployment is available", () => {
    const theServer = server("s");
    const outcome = { ok: true as const, shares: 1, recipients: 2, configSecretName: "s-config" };
    const pending = serverStatus(theServer, outcome, undefined, "http://e", t0);
    assert.deepEqual(
      pending.conditions?.map((condition) => [condition.type, condition.status, condition.reason]),
      [
        ["Ready", "Unknown", "DeploymentPending"],
        ["ConfigRendered", "True", "ConfigWritten"],
        ["Available", "Unknown", "DeploymentPending"],
      ],
    );
    const available = serverStatus(
      theServer,
      outcome,
      {
        spec: { replicas: 2, selector: {}, template: {} },
        status: { availableReplicas: 2, conditions: [{ type: "Available", status: "True" }] },
      },
      "http://e",
      t0,
    );
    assert.equal(available.conditions?.[0]?.status, "True");
    assert.equal(available.conditions?.[0]?.message, "serving at http://e");
    assert.equal(available.availableReplicas, 2);
    assert.equal(available.shares, 1);
    const invalid = serverStatus(
      theServer,
      { ok: false, reason: "InvalidConfig", message: "m" },
      undefined,
      "e",
      t0,
    );
    assert.equal(invalid.conditions?.[0]?.reason, "InvalidConfig");
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
    const facts = {
      serverName: "s",
      serverFound: true,
      secretName: "r-share-profile",
      secretConflict: false,
      credentials,
      endpoint: "http://e/delta-sharing",
      unknownShares: [] as string[],
      acceptedByServer: true,
    };
    const ready = recipientStatus(reader, facts, t0);
    assert.equal(ready.conditions?.[0]?.status, "True");
    assert.equal(ready.tokenExpiresAt, "2025-03-02T00:00:00Z");
    assert.equal(ready.previousTokenExpiresAt, "2025-03-01T18:00:00Z");
    assert.equal(ready.tokenRotation, 1);
    const reason = (changes: Partial<typeof facts>, at = t0) =>
      recipientStatus(reader, { ...facts, ...changes }, at).conditions?.[0]?.reason;
    assert.equal(reason({ unknownShares: ["a"] }), "UnknownShare");
    assert.equal(reason({ serverFound: false, credentials: undefined }), "ServerNotFound");
    assert.equal(reason({ secretConflict: true, credentials: undefined }), "SecretConflict");
    assert.equal(reason({}, new Date("2025-03-03T00:00:00Z")), "TokenExpired");
    assert.equal(reason({ acceptedByServer: false }), "Pending");
  });
});
