// Federation policies in the configuration: what start-up (and every reload) accepts and refuses,
// and the recipient command's federate verb, whose entry the server accepts and whose profile
// holds no secret.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { clientSecretPlaceholder } from "../../../server/auth/oauthProfile.ts";
import { parseConfigText } from "../../../server/config/load.ts";
import { refusal } from "../configRefusal.ts";
import { recipientCommand } from "./cli.ts";

const shares = "shares:\n  - name: sales\n    schemas: []\n";

const recipient = (name: string, federation: string) =>
  `  - name: ${name}\n    shares: [sales]\n    federation:\n${federation
    .trim()
    .split("\n")
    .map((line) => `      ${line}`)
    .join("\n")}\n`;

const config = (...recipients: string[]) => `version: 1\n${shares}recipients:\n${recipients.join("")}`;

describe("federation policies in the configuration", () => {
  it("accepts a recipient with a policy and no token, with the defaults filled in", () => {
    const parsed = parseConfigText(
      config(recipient("acme", "issuer: https://issuer.example.com/pool\nsubject: client-1")),
      "server.yaml",
    );
    const acme = parsed.recipients?.[0];
    assert.deepEqual(acme?.tokens, []);
    assert.deepEqual(acme?.federation, {
      issuer: "https://issuer.example.com/pool",
      subject: "client-1",
      subjectClaim: "sub",
    });
    assert.equal(parsed.federation, undefined, "server-wide settings are optional");
  });

  it("refuses a recipient with neither a token nor a policy", () => {
    assert.match(
      refusal(`version: 1\n${shares}recipients:\n  - name: nobody\n    shares: [sales]\n`),
      /recipients\[0\]\.tokens must hold a token when the recipient has no federation policy/,
    );
  });

  it("refuses an issuer or JWKS URL over plain http, except on loopback", () => {
    assert.match(
      refusal(config(recipient("acme", "issuer: http://issuer.example.com\nsubject: c"))),
      /recipients\[0\]\.federation\.issuer must be an https URL \(http only on loopback\)/,
    );
    assert.match(
      refusal(
        config(recipient("acme", "issuer: https://i.example.com\njwksUri: http://10.0.0.1/keys\nsubject: c")),
      ),
      /federation\.jwksUri must be an https URL/,
    );
    for (const loopback of ["http://127.0.0.1:8443", "http://localhost:9000/realm", "http://[::1]:80"]) {
      parseConfigText(config(recipient("acme", `issuer: ${loopback}\nsubject: c`)), "server.yaml");
    }
  });

  it("refuses two recipients with the same identity at the same issuer", () => {
    const policy = "issuer: https://issuer.example.com\nsubjectClaim: client_id\nsubject: shared";
    assert.match(
      refusal(config(recipient("one", policy), recipient("two", policy))),
      /recipients\[1\]\.federation\.subject names the same identity at the same issuer as recipient 'one'/,
    );
  });

  it("refuses HMAC and none among the accepted algorithms", () => {
    for (const alg of ["HS256", "none"]) {
      assert.match(
        refusal(config(recipient("acme", `issuer: https://i.example.com\nsubject: c\nalgorithms: [${alg}]`))),
        /federation\.algorithms\[0\] must be one of "RS256"/,
      );
    }
  });
});

describe("recipient federate", () => {
  it("prints a profile template without a secret and an entry the server accepts", async () => {
    const { stdout } = await recipientCommand([
      "federate",
      "acme",
      "--endpoint",
      "https://sharing.example.com/delta-sharing/",
      "--issuer",
      "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123",
      "--token-endpoint",
      "https://acme.auth.eu-west-1.amazoncognito.com/oauth2/token",
      "--client-id",
      "1example23456789",
      "--subject-claim",
      "client_id",
      "--scope",
      "delta-sharing/read",
      "--share",
      "sales",
    ]);
    const [profileText, entryText] = stdout.split(
      "# The recipient's entry for the server configuration (under recipients:).\n",
    );
    const profile = JSON.parse((profileText ?? "").replace(/^#.*\n/, ""));
    assert.deepEqual(profile, {
      shareCredentialsVersion: 2,
      type: "oauth_client_credentials",
      endpoint: "https://sharing.example.com/delta-sharing",
      tokenEndpoint: "https://acme.auth.eu-west-1.amazoncognito.com/oauth2/token",
      clientId: "1example23456789",
      clientSecret: clientSecretPlaceholder,
      scope: "delta-sharing/read",
    });
    const entries = parse(entryText ?? "") as unknown[];
    const accepted = parseConfigText(
      JSON.stringify({ version: 1, shares: [{ name: "sales" }], recipients: entries }),
      "s.yaml",
    );
    assert.deepEqual(accepted.recipients?.[0]?.federation, {
      issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123",
      scopes: ["delta-sharing/read"],
      subjectClaim: "client_id",
      subject: "1example23456789",
    });
  });

  it("refuses a federate without the issuer, token endpoint or client id", async () => {
    await assert.rejects(
      recipientCommand([
        "federate",
        "acme",
        "--endpoint",
        "https://s.example.com/delta-sharing",
        "--client-id",
        "c",
      ]),
      /federate needs --issuer, --token-endpoint and --client-id/,
    );
  });

  it("refuses an activation link for a federated recipient: there is no token of ours to hand out", async () => {
    await assert.rejects(
      recipientCommand([
        "federate",
        "acme",
        "--endpoint",
        "https://s.example.com/delta-sharing",
        "--issuer",
        "https://issuer.example.com",
        "--token-endpoint",
        "https://issuer.example.com/token",
        "--client-id",
        "c",
        "--activation",
      ]),
      /federate prints a profile template; it has no activation link/,
    );
  });
});
