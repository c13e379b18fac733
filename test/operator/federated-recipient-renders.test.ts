// A federated DeltaRecipient rendered without a cluster: its policy in the server's configuration
// (no token, profile-only fields left out) passing the server's own loader, and its credential
// Secret holding a v2 profile template with no secret in it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { configProblems } from "../../operator/render/configProblems.ts";
import { profileKey } from "../../operator/render/credentialSecret.ts";
import { renderFederatedProfileSecret } from "../../operator/render/federatedProfile.ts";
import { renderRecipientConfig } from "../../operator/render/recipientConfig.ts";
import { recipientStatus } from "../../operator/render/recipientStatus.ts";
import { renderServerConfig, serverConfigText } from "../../operator/render/serverConfig.ts";
import { clientSecretPlaceholder } from "../../server/auth/oauthProfile.ts";
import { parseConfigText } from "../../server/config/load.ts";
import { recipient, server } from "./resources.ts";

const federation = {
  issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123",
  scopes: ["delta-sharing/read"],
  subject: "1example23456789",
  tokenEndpoint: "https://acme.auth.eu-west-1.amazoncognito.com/oauth2/token",
};
const partner = recipient("partner", { serverRef: { name: "sharing" }, shares: ["Mobility"], federation });

describe("a federated recipient", () => {
  it("is its policy in the server's configuration, with no token, and the server loads it", () => {
    const { config } = renderRecipientConfig(partner, undefined, new Map([["mobility", "mobility"]]));
    assert.deepEqual(config, {
      name: "partner",
      tokens: [],
      federation: {
        issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123",
        scopes: ["delta-sharing/read"],
        subject: "1example23456789",
        subjectClaim: "sub",
      },
      shares: ["mobility"],
    });
    const file = renderServerConfig(server("sharing"), [{ name: "mobility", schemas: [] }], [config]);
    assert.deepEqual(configProblems(file), []);
    const loaded = parseConfigText(serverConfigText(file), "rendered.yaml");
    assert.deepEqual(loaded.recipients?.[0]?.federation, config.federation);
  });

  it("keeps its properties beside the policy, and renders no activation link (no token to hand out)", () => {
    const withExtras = recipient("partner", {
      serverRef: { name: "sharing" },
      shares: ["Mobility"],
      federation,
      properties: { country: "NL" },
      activation: { expiresIn: "72h" },
    });
    const { config } = renderRecipientConfig(withExtras, undefined, new Map([["mobility", "mobility"]]));
    assert.deepEqual(config.properties, { country: "NL" });
    assert.equal(config.activation, undefined);
    assert.equal(config.federation?.subject, "1example23456789");
  });

  it("gets a profile template in its Secret: the client id, no secret, no token annotations", () => {
    const secret = renderFederatedProfileSecret(
      partner,
      "https://sharing.example.com/delta-sharing",
      federation,
    );
    assert.equal(secret.metadata.name, "partner-share-profile");
    assert.equal(secret.metadata.annotations, undefined);
    assert.deepEqual(
      secret.metadata.ownerReferences?.map((owner) => [owner.kind, owner.name]),
      [["DeltaRecipient", "partner"]],
    );
    const profile = JSON.parse(Buffer.from(secret.data?.[profileKey] ?? "", "base64").toString("utf8"));
    assert.deepEqual(profile, {
      shareCredentialsVersion: 2,
      type: "oauth_client_credentials",
      endpoint: "https://sharing.example.com/delta-sharing",
      tokenEndpoint: "https://acme.auth.eu-west-1.amazoncognito.com/oauth2/token",
      clientId: "1example23456789",
      clientSecret: clientSecretPlaceholder,
      scope: "delta-sharing/read",
    });
  });

  it("reports its credentials as the federation policy, with no token fields", () => {
    const status = recipientStatus(
      partner,
      {
        serverName: "sharing",
        serverFound: true,
        secretName: "partner-share-profile",
        secretConflict: false,
        credentials: undefined,
        federated: true,
        endpoint: "https://sharing.example.com/delta-sharing",
        unknownShares: [],
        acceptedByServer: true,
        loading: { loaded: true, pods: 1 },
      },
      new Date("2025-03-01T12:00:00Z"),
    );
    assert.deepEqual(
      status.conditions?.map((each) => [each.type, each.status, each.reason]),
      [
        ["Ready", "True", "CredentialsReady"],
        ["CredentialsIssued", "True", "FederationPolicy"],
        ["SharesGranted", "True", "SharesServed"],
        ["Accepted", "True", "InServerConfig"],
        ["Loaded", "True", "ConfigLoaded"],
      ],
    );
    assert.equal(status.tokenRotation, undefined);
  });
});
