// The life of a token against a running server: missing or unknown (401), expired (401 saying so),
// rotated (old and new both work during the grace window, the old one is refused after), and a
// recipient's address allow list (403), with the client address taken from X-Forwarded-For only
// when the request comes through a configured trusted proxy.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { stringify } from "yaml";
import { freePort } from "../../ground/ports.ts";
import { waitUntil } from "../../ground/wait.ts";
import { startTestServer, type TestServer } from "../harness.ts";
import { assertNoSecrets, auditEvents } from "./audit.ts";
import { type MadeRecipient, runRecipient } from "./cli.ts";

describe("tokens: expiry, rotation and address allow lists", () => {
  let dir: string;
  let server: TestServer;
  let endpoint: string;
  let auditPath: string;
  let config: Record<string, unknown> & { shares: unknown[]; recipients: MadeRecipient["entry"][] };
  const made: Record<string, MadeRecipient> = {};
  const retired: string[] = [];

  const get = async (token: string | undefined, path = "/shares", headers: Record<string, string> = {}) => {
    const response = await fetch(`${server.endpoint}${path}`, {
      headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...headers },
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    return { status: response.status, body: text, authenticate: response.headers.get("www-authenticate") };
  };

  const writeConfig = async () => {
    await writeFile(server.configPath, stringify({ version: 1, host: "127.0.0.1", ...config }));
    await server.running.reload();
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-tokens-"));
    const port = await freePort();
    endpoint = `http://127.0.0.1:${port}/delta-sharing`;
    const create = (name: string, ...args: string[]) =>
      runRecipient(["create", name, "--endpoint", endpoint, "--share", "sales", ...args]);
    [made.alice, made.carol, made.dave] = await Promise.all([
      create("alice"),
      create("carol", "--expires-in", "8s"),
      create("dave", "--allow", "10.0.0.0/8", "--allow", "2001:db8::/32"),
    ]);
    auditPath = join(dir, "audit.log");
    config = {
      port,
      shares: [{ name: "sales", schemas: [] }],
      recipients: [made.alice.entry, made.carol.entry, made.dave.entry],
      audit: { destination: "file", file: auditPath },
    };
    server = await startTestServer(config);
  });

  after(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test("no token, a malformed header or an unknown token: 401 with a Bearer challenge", async () => {
    const none = await get(undefined);
    assert.equal(none.status, 401);
    assert.deepEqual(JSON.parse(none.body), {
      errorCode: "UNAUTHENTICATED",
      message: "a bearer token is required",
    });
    assert.equal(none.authenticate, "Bearer");
    const basic = await get(undefined, "/shares", { authorization: `Basic ${made.alice?.token}` });
    assert.equal(basic.status, 401);
    const unknown = await get("x".repeat(43));
    assert.deepEqual(
      [unknown.status, JSON.parse(unknown.body).message],
      [401, "the bearer token is not valid"],
    );
    assert.equal((await get(made.alice?.token)).status, 200);
    // carol's token works until its expiry (tested last, to let it pass meanwhile)
    assert.equal((await get(made.carol?.token)).status, 200);
  });

  test("rotation: old and new tokens both work in the grace window, the old one is refused after", async () => {
    const alice = made.alice as MadeRecipient;
    const rotated = await runRecipient([
      "rotate",
      "alice",
      "--config",
      server.configPath,
      "--endpoint",
      endpoint,
      "--grace",
      "6s",
    ]);
    assert.equal(rotated.entry.tokens.length, 2);
    assert.equal(rotated.entry.tokens[0]?.sha256, alice.entry.tokens[0]?.sha256);
    const graceEnds = Date.parse(rotated.entry.tokens[0]?.expiresAt as string);
    assert.ok(graceEnds > Date.now() && graceEnds < Date.now() + 7000);
    assert.equal(rotated.entry.tokens[1]?.expiresAt, undefined);
    config.recipients = config.recipients.map((entry) => (entry.name === "alice" ? rotated.entry : entry));
    await writeConfig();

    assert.equal((await get(alice.token)).status, 200, "the old token in the grace window");
    assert.equal((await get(rotated.token)).status, 200, "the new token");
    await waitUntil(() => Date.now() > graceEnds + 50, { timeoutMs: 10_000, what: "the grace window's end" });
    const old = await get(alice.token);
    assert.equal(old.status, 401);
    assert.match(JSON.parse(old.body).message, /expired at/);
    assert.equal((await get(rotated.token)).status, 200, "the new token after the grace window");
    retired.push(alice.token, rotated.token);
  });

  test("an address outside the recipient's ranges: 403; X-Forwarded-For counts only from trusted proxies", async () => {
    const dave = made.dave as MadeRecipient;
    const denied = await get(dave.token);
    assert.equal(denied.status, 403);
    assert.deepEqual(JSON.parse(denied.body), {
      errorCode: "PERMISSION_DENIED",
      message: "recipient 'dave' may not connect from 127.0.0.1",
    });
    const spoofed = await get(dave.token, "/shares", { "x-forwarded-for": "10.1.2.3" });
    assert.equal(spoofed.status, 403, "no trusted proxies: the header is ignored");

    config.trustedProxies = ["127.0.0.1/32"];
    await writeConfig();
    assert.equal((await get(dave.token, "/shares", { "x-forwarded-for": "10.1.2.3" })).status, 200);
    assert.equal((await get(dave.token, "/shares", { "x-forwarded-for": "2001:db8::7" })).status, 200);
    // a client can put anything first; the hop the proxy appended is what counts
    assert.equal(
      (await get(dave.token, "/shares", { "x-forwarded-for": "192.0.2.9, 10.1.2.3" })).status,
      200,
    );
    const throughProxy = await get(dave.token, "/shares", { "x-forwarded-for": "10.1.2.3, 192.0.2.9" });
    assert.equal(throughProxy.status, 403);
    assert.match(JSON.parse(throughProxy.body).message, /from 192\.0\.2\.9$/);
    assert.equal((await get(dave.token, "/shares", { "x-forwarded-for": "garbage" })).status, 403);

    const events = await auditEvents(auditPath);
    const refused = events.filter((event) => event.recipient === "dave" && event.status === 403);
    assert.ok(
      refused.some((event) => event.clientAddress === "127.0.0.1" && event.errorCode === "PERMISSION_DENIED"),
    );
    assert.ok(refused.some((event) => event.clientAddress === "192.0.2.9"));
    assert.ok(
      events.some(
        (event) => event.recipient === "dave" && event.status === 200 && event.clientAddress === "10.1.2.3",
      ),
    );
    retired.push(dave.token);
  });

  test("an expired token: 401 whose message says it expired", async () => {
    const carol = made.carol as MadeRecipient;
    const expiresAt = carol.entry.tokens[0]?.expiresAt as string;
    assert.equal(carol.profile.expirationTime, expiresAt);
    await waitUntil(() => Date.now() > Date.parse(expiresAt) + 50, {
      timeoutMs: 10_000,
      what: "carol's expiry",
    });
    const expired = await get(carol.token);
    assert.equal(expired.status, 401);
    assert.deepEqual(JSON.parse(expired.body), {
      errorCode: "UNAUTHENTICATED",
      message: `the bearer token expired at ${new Date(expiresAt).toISOString()}`,
    });
    retired.push(carol.token);
  });

  test("auth failures are counted by reason, and no token appears in any log", async () => {
    const metrics = await (await fetch(`${server.opsUrl}/metrics`)).text();
    for (const reason of ["missing", "token", "expired", "address"]) {
      assert.match(
        metrics,
        new RegExp(`^delta_sharing_auth_failures_total\\{reason="${reason}"\\} [1-9]`, "m"),
      );
    }
    await server.stop();
    assertNoSecrets({ "server log": server.logs(), "audit log": await readFile(auditPath, "utf8") }, retired);
  });
});
