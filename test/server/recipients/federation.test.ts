// Federated recipients against a real OAuth 2.0 / OIDC authorization server on loopback: the
// official Python client, given an oauth_client_credentials profile from the recipient command,
// fetches its own token and reads a table; expired, wrongly addressed, foreign, unknown, forged
// and unsigned tokens are refused with 401 and the protocol's error; a key rotation at the issuer is
// picked up while the server runs; during an issuer outage cached keys keep serving until their
// lifetime ends, then 503 with Retry-After; and no token or secret reaches any log line.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { decodeJwt, decodeProtectedHeader, importJWK, SignJWT } from "jose";
import type { OAuthProfile } from "../../../server/auth/oauthProfile.ts";
import type { StatusDocument } from "../../../server/ops/statusDocument.ts";
import { listWithClient, loadWithClient } from "../../fixtures/recipient.ts";
import { type Expected, sortRows, writeFixtureTables } from "../../fixtures/tables.ts";
import {
  type OidcIssuer,
  otherAudience,
  sharingAudience,
  sharingScope,
  shortLivedResource,
  signingKey,
  startOidcIssuer,
} from "../../ground/oidcIssuer.ts";
import { waitUntil } from "../../ground/wait.ts";
import { startTestServer, type TestServer } from "../harness.ts";
import { assertNoSecrets } from "./audit.ts";
import { recipientCommand } from "./cli.ts";

const keysCacheSeconds = 6;

describe("federated recipients with OAuth 2.0 client credentials", () => {
  let dir: string;
  let expected: Expected;
  let issuer: OidcIssuer;
  let elsewhere: OidcIssuer;
  let server: TestServer;
  let alphaProfile: string;
  const secrets: string[] = [];

  const client = (name: string) => {
    const found = issuer.clients.find((candidate) => candidate.clientId === name);
    if (!found) throw new Error(`no client ${name}`);
    return found;
  };
  const tokenOf = async (name: string, options: { resource?: string } = {}) => {
    const token = await issuer.token(client(name), options);
    secrets.push(token);
    return token;
  };
  const ask = (token: string, path = "/shares") =>
    fetch(`${server.endpoint}${path}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(30_000),
    });
  const status = async (): Promise<StatusDocument> =>
    (await fetch(`${server.opsUrl}/status`)).json() as Promise<StatusDocument>;

  /** Failed authentications the server counted, all reasons. */
  const authFailures = async () =>
    (await (await fetch(`${server.opsUrl}/metrics`)).text())
      .split("\n")
      .filter((line) => line.startsWith("delta_sharing_auth_failures_total{"))
      .reduce((sum, line) => sum + Number(line.split(" ").pop()), 0);

  async function assertRefused(token: string, message: RegExp) {
    const response = await ask(token);
    const body = (await response.json()) as { errorCode: string; message: string };
    assert.equal(response.status, 401, body.message);
    assert.equal(body.errorCode, "UNAUTHENTICATED");
    assert.match(body.message, message);
    assert.equal(response.headers.get("www-authenticate"), "Bearer");
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-federation-"));
    [expected, issuer, elsewhere] = await Promise.all([
      writeFixtureTables(join(dir, "tables")),
      startOidcIssuer(["reader-alpha", "reader-beta", "stranger"]),
      startOidcIssuer(["reader-alpha"]),
    ]);
    secrets.push(...[...issuer.clients, ...elsewhere.clients].map((each) => each.clientSecret));
    const { stdout } = await recipientCommand([
      "federate",
      "alpha",
      "--endpoint",
      "http://127.0.0.1:1/delta-sharing",
      "--issuer",
      issuer.issuer,
      "--token-endpoint",
      issuer.tokenEndpoint,
      "--client-id",
      "reader-alpha",
      "--audience",
      sharingAudience,
      "--scope",
      sharingScope,
      "--share",
      "tables",
      "--json",
    ]);
    const made = JSON.parse(stdout) as { profile: OAuthProfile; recipient: Record<string, unknown> };
    server = await startTestServer({
      shares: [
        {
          name: "tables",
          schemas: [
            { name: "fixtures", tables: [{ name: "small", location: join(dir, "tables", "small") }] },
          ],
        },
      ],
      recipients: [
        made.recipient,
        // Amazon Cognito's way: no aud, the client id in sub and client_id
        { name: "beta", shares: ["tables"], federation: { issuer: issuer.issuer, subject: "reader-beta" } },
      ],
      federation: { keysCacheSeconds, refreshCooldownSeconds: 1, clockSkewSeconds: 0 },
      // this test sends bad tokens on purpose
      limits: { authFailureLimit: { failuresPerSecond: 1000, burst: 1000 } },
    });
    // the recipient fills in the secret their identity provider gave them, and the endpoint is ours
    alphaProfile = join(dir, "alpha.share");
    const profile = {
      ...made.profile,
      endpoint: server.endpoint,
      clientSecret: client("reader-alpha").clientSecret,
    };
    await writeFile(alphaProfile, JSON.stringify(profile));
    assert.equal(made.profile.clientSecret.includes("<"), true, "the printed profile holds no secret");
  });

  after(async () => {
    await server?.stop();
    await Promise.all([issuer?.close(), elsewhere?.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  test("the official Python client reads a table with a token it fetched from the issuer", async () => {
    const listing = await listWithClient(alphaProfile);
    assert.deepEqual(listing.shares, ["tables"]);
    const read = await loadWithClient(alphaProfile, "tables.fixtures.small");
    const table = expected.small;
    assert.deepEqual(sortRows(read.rows), sortRows(table.versions[String(table.latestVersion)] ?? []));
    const events = (await readFile(join(server.dir, "audit.log"), "utf8")).trim().split("\n");
    const recipients = new Set(events.map((line) => (JSON.parse(line) as { recipient: string }).recipient));
    assert.deepEqual([...recipients], ["alpha"]);
  });

  test("a second client resolves to its own recipient, by sub and without an audience", async () => {
    const response = await ask(await tokenOf("reader-beta"));
    assert.equal(response.status, 200);
    const beta = (await response.json()) as { items: { name: string }[] };
    assert.deepEqual(
      beta.items.map((share) => share.name),
      ["tables"],
    );
  });

  test("an expired token is refused", async () => {
    const token = await tokenOf("reader-alpha", { resource: shortLivedResource });
    const expiry = (decodeJwt(token).exp ?? 0) * 1000;
    await sleep(Math.max(0, expiry - Date.now()) + 1100);
    await assertRefused(token, /expired/);
  });

  test("a token for another audience is refused", async () => {
    await assertRefused(await tokenOf("reader-alpha", { resource: otherAudience }), /audience/);
  });

  test("a token from an issuer no recipient trusts is refused", async () => {
    const token = await elsewhere.token(elsewhere.clients[0] as never);
    secrets.push(token);
    await assertRefused(token, /issuer is not trusted/);
  });

  test("a client of the trusted issuer that is no recipient is refused", async () => {
    await assertRefused(await tokenOf("stranger"), /names no known recipient/);
  });

  test("a token signed by a key the issuer does not publish is refused", async () => {
    const genuine = decodeJwt(await tokenOf("reader-alpha"));
    const forger = await signingKey();
    const key = await importJWK(forger, "RS256");
    const sign = (kid: string) =>
      new SignJWT(genuine).setProtectedHeader({ alg: "RS256", typ: "at+jwt", kid }).sign(key);
    const unknownKid = await sign(forger.kid as string);
    await assertRefused(unknownKid, /key its issuer does not publish/);
    // the kid of a published key, but signed with another
    const publishedKid = decodeProtectedHeader(await tokenOf("reader-alpha")).kid as string;
    await assertRefused(await sign(publishedKid), /signature does not verify/);
  });

  test("a flood of tokens naming unknown keys fetches the issuer's keys at most once per cooldown", async () => {
    const genuine = decodeJwt(await tokenOf("reader-alpha"));
    const forger = await signingKey();
    const key = await importJWK(forger, "RS256");
    await sleep(1100); // past the cooldown: the first unknown key may ask the issuer
    const before = issuer.requests.get("/jwks") ?? 0;
    const forged = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        new SignJWT(genuine).setProtectedHeader({ alg: "RS256", kid: `unknown-${index}` }).sign(key),
      ),
    );
    const answers = await Promise.all(forged.map((token) => ask(token)));
    assert.deepEqual(new Set(answers.map((answer) => answer.status)), new Set([401]));
    await Promise.all(answers.map((answer) => answer.body?.cancel()));
    assert.equal((issuer.requests.get("/jwks") ?? 0) - before, 1);
  });

  test("an unsigned token (alg none) is refused", async () => {
    const claims = decodeJwt(await tokenOf("reader-alpha"));
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    await assertRefused(
      `${part({ alg: "none", typ: "at+jwt" })}.${part(claims)}.`,
      /algorithm is not accepted/,
    );
    await assertRefused(
      `${part({ alg: "none" })}.${part(claims)}.${randomBytes(8).toString("base64url")}`,
      /algorithm/,
    );
  });

  test("a key rotation at the issuer is picked up without a restart", async () => {
    const before = decodeProtectedHeader(await tokenOf("reader-alpha")).kid;
    await issuer.rotateKeys(false);
    const token = await tokenOf("reader-alpha");
    assert.notEqual(decodeProtectedHeader(token).kid, before, "the issuer signs with its new key");
    await sleep(1100); // the refetch cooldown since the last fetch
    assert.equal((await ask(token)).status, 200);
    const [state] = (await status()).issuers ?? [];
    assert.equal(state?.state, "ok");
    assert.equal(state?.keys, 2);
  });

  test("an issuer outage: cached keys serve until their lifetime ends, then 503 with Retry-After", async () => {
    const token = await tokenOf("reader-alpha");
    assert.equal((await ask(token)).status, 200);
    await issuer.stop();
    try {
      const [state] = (await status()).issuers ?? [];
      const keysExpireAt = Date.parse(state?.keysExpireAt ?? "");
      assert.ok(keysExpireAt > Date.now(), "the keys are still fresh");
      assert.equal((await ask(token)).status, 200, "cached keys keep serving");
      await sleep(keysExpireAt - Date.now() + 200);
      const failuresBefore = await authFailures();
      const refused = await ask(token);
      const body = (await refused.json()) as { errorCode: string; message: string };
      assert.equal(refused.status, 503);
      assert.equal(body.errorCode, "TEMPORARILY_UNAVAILABLE");
      assert.match(refused.headers.get("retry-after") ?? "", /^[1-9]\d*$/);
      assert.equal(await authFailures(), failuresBefore, "an issuer outage is no failed authentication");
      const readyz = await fetch(`${server.opsUrl}/readyz`);
      const document = (await readyz.json()) as StatusDocument;
      assert.equal(readyz.status, 200, "an issuer outage does not take the pod out of service");
      assert.equal(document.issuers?.[0]?.state, "unavailable");
      assert.ok(document.issuers?.[0]?.error);
      const metrics = await (await fetch(`${server.opsUrl}/metrics`)).text();
      assert.ok(metrics.includes(`delta_sharing_issuer_keys_usable{issuer="${issuer.issuer}"} 0`));
    } finally {
      await issuer.start();
    }
    await waitUntil(async () => (await ask(token)).status === 200, {
      timeoutMs: 10_000,
      intervalMs: 300,
      what: "the issuer's keys to be fetched again",
    });
    assert.equal((await status()).issuers?.[0]?.state, "ok");
  });

  test("no token or client secret appears in any log line", async () => {
    const audit = await readFile(join(server.dir, "audit.log"), "utf8");
    assertNoSecrets({ "server log": server.logs(), "audit log": audit }, secrets);
    assert.ok(secrets.length > 10);
  });
});
