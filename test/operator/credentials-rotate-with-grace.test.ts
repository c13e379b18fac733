import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  profileKey,
  profileTokenOf,
  renderCredentialSecret,
} from "../../operator/render/credentialSecret.ts";
import {
  acceptedTokens,
  type Credentials,
  nextCredentialsEvent,
  planCredentials,
  tokenSha256,
} from "../../operator/render/credentials.ts";
import { credentialsStatus, readCredentials } from "../../operator/render/credentialsRecord.ts";
import { recipient } from "./resources.ts";

const t0 = new Date("2025-03-01T12:00:00Z");
const later = (ms: number) => new Date(t0.getTime() + ms);
const hour = 3_600_000;

function tokens() {
  let n = 0;
  const made: string[] = [];
  const make = () => {
    const token = `token-${++n}-${"x".repeat(40)}`;
    made.push(token);
    return token;
  };
  return { make, made };
}

describe("recipient credentials", () => {
  it("are made once: the same spec later changes nothing and makes no token", () => {
    const { make, made } = tokens();
    const first = planCredentials(undefined, { lifetime: "48h" }, t0, make);
    assert.equal(first.change, "issued");
    assert.equal(first.credentials.expiresAt, "2025-03-03T12:00:00Z");
    const again = planCredentials(first.credentials, { lifetime: "48h" }, later(hour), make);
    assert.equal(again.change, "unchanged");
    assert.deepEqual(again.credentials, first.credentials);
    assert.equal(made.length, 1);
  });

  it("never expire without a lifetime", () => {
    const { make } = tokens();
    const { credentials } = planCredentials(undefined, undefined, t0, make);
    assert.equal(credentials.expiresAt, undefined);
    assert.deepEqual(acceptedTokens(credentials), [{ sha256: tokenSha256(credentials.token) }]);
    assert.equal(nextCredentialsEvent(credentials, t0), undefined);
  });

  it("rotate when rotation is raised: a new token, the old one valid until the grace period ends", () => {
    const { make } = tokens();
    const first = planCredentials(undefined, { lifetime: "720h" }, t0, make).credentials;
    const rotated = planCredentials(
      first,
      { lifetime: "720h", rotation: 1, gracePeriod: "2h" },
      later(hour),
      make,
    );
    assert.equal(rotated.change, "rotated");
    assert.notEqual(rotated.credentials.token, first.token);
    assert.equal(rotated.credentials.rotation, 1);
    assert.deepEqual(rotated.credentials.previous, {
      sha256: tokenSha256(first.token),
      expiresAt: "2025-03-01T15:00:00Z",
    });
    assert.deepEqual(
      acceptedTokens(rotated.credentials).map((token) => token.sha256),
      [tokenSha256(rotated.credentials.token), tokenSha256(first.token)],
    );
    assert.deepEqual(
      nextCredentialsEvent(rotated.credentials, later(hour)),
      new Date("2025-03-01T15:00:00Z"),
    );

    const afterGrace = planCredentials(
      rotated.credentials,
      { lifetime: "720h", rotation: 1 },
      later(3 * hour),
      make,
    );
    assert.equal(afterGrace.change, "previousExpired");
    assert.equal(afterGrace.credentials.previous, undefined);
    assert.equal(afterGrace.credentials.token, rotated.credentials.token);
  });

  it("never extend an old token's life: the grace period ends no later than its own expiry", () => {
    const { make } = tokens();
    const first = planCredentials(undefined, { lifetime: "2h" }, t0, make).credentials;
    const rotated = planCredentials(
      first,
      { lifetime: "2h", rotation: 3, gracePeriod: "24h" },
      later(hour),
      make,
    );
    assert.equal(rotated.credentials.previous?.expiresAt, "2025-03-01T14:00:00Z");
  });

  it("drop an already expired token at rotation instead of keeping it", () => {
    const { make } = tokens();
    const first = planCredentials(undefined, { lifetime: "1h" }, t0, make).credentials;
    const rotated = planCredentials(first, { lifetime: "1h", rotation: 1 }, later(2 * hour), make);
    assert.equal(rotated.credentials.previous, undefined);
  });

  it("follow a changed lifetime from when the token was made", () => {
    const { make } = tokens();
    const first = planCredentials(undefined, { lifetime: "10h" }, t0, make).credentials;
    const shorter = planCredentials(first, { lifetime: "1h" }, later(hour / 2), make);
    assert.equal(shorter.change, "expiryChanged");
    assert.equal(shorter.credentials.expiresAt, "2025-03-01T13:00:00Z");
    assert.equal(shorter.credentials.token, first.token);
  });

  it("survive the round trip through the credential Secret, whose profile official clients read", () => {
    const { make } = tokens();
    const reader = recipient("reader", {
      serverRef: { name: "s" },
      shares: [],
      token: { lifetime: "24h", rotation: 2 },
    });
    const before: Credentials = planCredentials(
      planCredentials(undefined, { lifetime: "24h", rotation: 1 }, t0, make).credentials,
      { lifetime: "24h", rotation: 2 },
      later(hour),
      make,
    ).credentials;
    const secret = renderCredentialSecret(reader, "https://sharing.example.com/delta-sharing", before);
    assert.deepEqual(readCredentials(profileTokenOf(secret), credentialsStatus(before)), before);
    const profile = JSON.parse(Buffer.from(secret.data?.[profileKey] ?? "", "base64").toString("utf8"));
    assert.deepEqual(profile, {
      shareCredentialsVersion: 1,
      endpoint: "https://sharing.example.com/delta-sharing",
      bearerToken: before.token,
      expirationTime: "2025-03-02T13:00:00Z",
    });
    assert.equal(secret.metadata.name, "reader-share-profile");
    assert.deepEqual(
      secret.metadata.ownerReferences?.map((owner) => [owner.kind, owner.name, owner.controller]),
      [["DeltaRecipient", "reader", true]],
    );
    assert.ok(
      !JSON.stringify(secret.metadata).includes(before.token),
      "the token is outside the Secret's data",
    );
  });

  it("are not read from a Secret whose profile is damaged, so a fresh token replaces it", () => {
    const status = credentialsStatus(planCredentials(undefined, {}, t0, tokens().make).credentials);
    const damaged = profileTokenOf({ data: { [profileKey]: Buffer.from("{not json").toString("base64") } });
    assert.equal(readCredentials(damaged, status), undefined);
    assert.equal(readCredentials(profileTokenOf({ data: {} }), status), undefined);
    assert.equal(readCredentials(profileTokenOf(undefined), status), undefined);
  });

  it("take their life from the status only: a Secret's token other than the recorded one is not used", () => {
    const issued = planCredentials(undefined, { lifetime: "24h" }, t0, tokens().make).credentials;
    const status = credentialsStatus(issued);
    assert.equal(readCredentials("planted-token-".padEnd(43, "x"), status), undefined);
    assert.equal(readCredentials(issued.token, undefined), undefined, "no record, no trust");
    assert.deepEqual(readCredentials(issued.token, status), issued);
  });
});
