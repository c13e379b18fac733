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
  type TokenPolicy,
  tokenSha256,
} from "../../operator/render/credentials.ts";
import { credentialsStatus, readCredentials } from "../../operator/render/credentialsRecord.ts";
import { parseDuration } from "../../operator/render/duration.ts";
import { recipient } from "./resources.ts";

const t0 = new Date("2025-03-01T12:00:00Z");
const later = (ms: number) => new Date(t0.getTime() + ms);
const hour = 3_600_000;
const forever: TokenPolicy = { defaultLifetime: "never" };

/** Credentials planned as for a recipient of a server whose tokens do not expire by default. */
const plan = (
  current: Credentials | undefined,
  spec: Parameters<typeof planCredentials>[1],
  at: Date,
  make: () => string,
  policy: TokenPolicy = forever,
) => planCredentials(current, spec, at, make, policy);

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
    const first = plan(undefined, { lifetime: "48h" }, t0, make);
    assert.equal(first.change, "issued");
    assert.equal(first.credentials.expiresAt, "2025-03-03T12:00:00Z");
    const again = plan(first.credentials, { lifetime: "48h" }, later(hour), make);
    assert.equal(again.change, "unchanged");
    assert.deepEqual(again.credentials, first.credentials);
    assert.equal(made.length, 1);
  });

  it("never expire without a lifetime", () => {
    const { make } = tokens();
    const { credentials } = plan(undefined, undefined, t0, make);
    assert.equal(credentials.expiresAt, undefined);
    assert.deepEqual(acceptedTokens(credentials), [{ sha256: tokenSha256(credentials.token) }]);
    assert.equal(nextCredentialsEvent(credentials, t0), undefined);
  });

  it("rotate when rotation is raised: a new token, the old one valid until the grace period ends", () => {
    const { make } = tokens();
    const first = plan(undefined, { lifetime: "720h" }, t0, make).credentials;
    const rotated = plan(first, { lifetime: "720h", rotation: 1, gracePeriod: "2h" }, later(hour), make);
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

    const afterGrace = plan(rotated.credentials, { lifetime: "720h", rotation: 1 }, later(3 * hour), make);
    assert.equal(afterGrace.change, "previousExpired");
    assert.equal(afterGrace.credentials.previous, undefined);
    assert.equal(afterGrace.credentials.token, rotated.credentials.token);
  });

  it("never extend an old token's life: the grace period ends no later than its own expiry", () => {
    const { make } = tokens();
    const first = plan(undefined, { lifetime: "2h" }, t0, make).credentials;
    const rotated = plan(first, { lifetime: "2h", rotation: 3, gracePeriod: "24h" }, later(hour), make);
    assert.equal(rotated.credentials.previous?.expiresAt, "2025-03-01T14:00:00Z");
  });

  it("drop an already expired token at rotation instead of keeping it", () => {
    const { make } = tokens();
    const first = plan(undefined, { lifetime: "1h" }, t0, make).credentials;
    const rotated = plan(first, { lifetime: "1h", rotation: 1 }, later(2 * hour), make);
    assert.equal(rotated.credentials.previous, undefined);
  });

  it("follow a changed lifetime from when the token was made", () => {
    const { make } = tokens();
    const first = plan(undefined, { lifetime: "10h" }, t0, make).credentials;
    const shorter = plan(first, { lifetime: "1h" }, later(hour / 2), make);
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
    const before: Credentials = plan(
      plan(undefined, { lifetime: "24h", rotation: 1 }, t0, make).credentials,
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
    const status = credentialsStatus(plan(undefined, {}, t0, tokens().make).credentials);
    const damaged = profileTokenOf({ data: { [profileKey]: Buffer.from("{not json").toString("base64") } });
    assert.equal(readCredentials(damaged, status), undefined);
    assert.equal(readCredentials(profileTokenOf({ data: {} }), status), undefined);
    assert.equal(readCredentials(profileTokenOf(undefined), status), undefined);
  });

  it("take their life from the status only: a Secret's token other than the recorded one is not used", () => {
    const issued = plan(undefined, { lifetime: "24h" }, t0, tokens().make).credentials;
    const status = credentialsStatus(issued);
    assert.equal(readCredentials("planted-token-".padEnd(43, "x"), status), undefined);
    assert.equal(readCredentials(issued.token, undefined), undefined, "no record, no trust");
    assert.deepEqual(readCredentials(issued.token, status), issued);
  });

  it("last the server's default lifetime (90d) unless the recipient says otherwise or 'never'", () => {
    const { make } = tokens();
    const ninetyDays = { defaultLifetime: "90d" };
    const byDefault = plan(undefined, undefined, t0, make, ninetyDays).credentials;
    assert.equal(byDefault.expiresAt, "2025-05-30T12:00:00Z");
    assert.equal(
      plan(undefined, { lifetime: "never" }, t0, make, ninetyDays).credentials.expiresAt,
      undefined,
    );
    assert.equal(
      plan(undefined, { lifetime: "36h" }, t0, make, ninetyDays).credentials.expiresAt,
      "2025-03-03T00:00:00Z",
    );
    assert.throws(
      () => parseDuration("90 days"),
      /not a duration: "90 days" \(use e\.g\. 90d, 36h, 15m, 30s or 1h30m\)/,
    );
  });

  it("made anew after the profile Secret was deleted keep the lost token for the grace period; revokePrevious ends it at once", () => {
    const { make } = tokens();
    const first = plan(undefined, { lifetime: "720h" }, t0, make).credentials;
    const lost = {
      sha256: tokenSha256(first.token),
      ...(first.expiresAt ? { expiresAt: first.expiresAt } : {}),
    };
    const remade = plan(undefined, { lifetime: "720h", gracePeriod: "2h" }, later(hour), make, {
      ...forever,
      lost,
    });
    assert.equal(remade.change, "reissued");
    assert.notEqual(remade.credentials.token, first.token);
    assert.deepEqual(remade.credentials.previous, { sha256: lost.sha256, expiresAt: "2025-03-01T15:00:00Z" });
    assert.deepEqual(
      acceptedTokens(remade.credentials).map((token) => token.sha256),
      [tokenSha256(remade.credentials.token), lost.sha256],
    );

    const leaked = { lifetime: "720h", gracePeriod: "2h", revokePrevious: true };
    const revoked = plan(remade.credentials, leaked, later(hour + 60_000), make);
    assert.equal(revoked.change, "previousRevoked");
    assert.equal(revoked.credentials.previous, undefined);
    assert.equal(revoked.credentials.token, remade.credentials.token);
    const remadeRevoked = plan(undefined, leaked, later(hour), make, { ...forever, lost });
    assert.equal(remadeRevoked.credentials.previous, undefined);
    const rotatedRevoked = plan(remade.credentials, { ...leaked, rotation: 1 }, later(hour), make);
    assert.equal(rotatedRevoked.change, "rotated");
    assert.equal(rotatedRevoked.credentials.previous, undefined);
  });
});
