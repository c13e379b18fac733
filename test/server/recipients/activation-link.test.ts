// Issue 18: a one-time activation link hands out the recipient's .share profile exactly once across
// two server processes (the Lease store on a real kube-apiserver decides), the profile it hands out
// reads a table with the official Python client, and expired links, addresses outside the allow
// list and unknown codes are refused in the protocol's JSON error shape (plain pages for browsers).
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { CoordinationV1Api } from "@kubernetes/client-node";
import { activationLeaseName } from "../../../server/auth/activationLeases.ts";
import { codeSha256 } from "../../../server/auth/activationSeal.ts";
import { loadWithClient } from "../../fixtures/recipient.ts";
import { sortRows } from "../../fixtures/tables.ts";
import {
  type ActivationGround,
  leaseNamespace,
  onReplica,
  startActivationGround,
} from "./activationGround.ts";
import { assertNoSecrets, auditEvents } from "./audit.ts";

const hour = 3_600_000;
const json = { accept: "application/json" };
const html = { accept: "text/html,application/xhtml+xml" };

async function get(url: string, headers: Record<string, string>) {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe("one-time activation links", () => {
  let ground: ActivationGround;

  before(async () => {
    ground = await startActivationGround([
      { name: "alice", expiresInMs: 72 * hour },
      { name: "racer", expiresInMs: 72 * hour },
      { name: "late", expiresInMs: -hour },
      { name: "fenced", expiresInMs: 72 * hour, allowedIpRanges: ["10.0.0.0/8"] },
      { name: "browsing", expiresInMs: 72 * hour },
    ]);
  });

  after(async () => {
    await ground?.stop();
  });

  test("works once, then 404 on the other replica and on the same one; the profile reads a table", async () => {
    const alice = ground.links.alice;
    assert.ok(alice);
    const [a, b] = ground.replicas;
    const first = await get(onReplica(alice, a), json);
    assert.equal(first.status, 200, `${first.text}\n${a.output().slice(-3000)}`);
    assert.match(first.headers.get("content-type") ?? "", /application\/json/);
    assert.equal(first.headers.get("cache-control"), "no-store");
    const profile = JSON.parse(first.text) as Record<string, unknown>;
    assert.deepEqual(Object.keys(profile).sort(), ["bearerToken", "endpoint", "shareCredentialsVersion"]);
    assert.equal(profile.bearerToken, alice.token);

    for (const replica of [b, a]) {
      const again = await get(onReplica(alice, replica), json);
      assert.equal(again.status, 404);
      assert.equal((JSON.parse(again.text) as { errorCode: string }).errorCode, "RESOURCE_DOES_NOT_EXIST");
    }
    // a browser on the other replica sees the plain page, not a button
    const page = await get(onReplica(alice, b), html);
    assert.equal(page.status, 404);
    assert.match(page.text, /already been used/);
    assert.match(page.text, new RegExp(ground.contact.replace(/\./g, "\\.")));
    assert.doesNotMatch(page.text, /<form/);

    const file = join(ground.dir, "alice.share");
    await writeFile(file, first.text);
    const read = await loadWithClient(file, "sales.fixtures.small");
    const small = ground.expected.small;
    assert.deepEqual(sortRows(read.rows), sortRows(small.versions[String(small.latestVersion)] ?? []));

    // the spend is a Lease named for the code's hash, and nothing else of the code is stored
    const leases = ground.kube.kubeConfig.makeApiClient(CoordinationV1Api);
    const lease = await leases.readNamespacedLease({
      namespace: leaseNamespace,
      name: activationLeaseName(codeSha256(alice.code)),
    });
    assert.equal(lease.spec?.holderIdentity, "alice");
  });

  test("two replicas asked at the same moment: exactly one hands the profile out", async () => {
    const racer = ground.links.racer;
    assert.ok(racer);
    const answers = await Promise.all(
      [...ground.replicas, ...ground.replicas].map((replica) => get(onReplica(racer, replica), json)),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    assert.deepEqual(statuses, [200, 404, 404, 404]);
  });

  test("an expired link is refused: 404 JSON, and a plain page naming whom to ask", async () => {
    const late = ground.links.late;
    assert.ok(late);
    const refused = await get(late.url, json);
    assert.equal(refused.status, 404);
    const body = JSON.parse(refused.text) as { errorCode: string; message: string };
    assert.equal(body.errorCode, "RESOURCE_DOES_NOT_EXIST");
    assert.match(body.message, /expired/);
    const page = await get(late.url, html);
    assert.equal(page.status, 404);
    assert.match(page.text, /has expired/);
    assert.match(page.text, /data-team@example\.com/);
    assert.doesNotMatch(page.text, new RegExp(late.token));
  });

  test("an address outside the recipient's allow list is refused, and the link stays unspent", async () => {
    const fenced = ground.links.fenced;
    assert.ok(fenced);
    const refused = await get(fenced.url, json);
    assert.equal(refused.status, 403);
    assert.equal((JSON.parse(refused.text) as { errorCode: string }).errorCode, "PERMISSION_DENIED");
    const post = await fetch(fenced.url, { method: "POST", signal: AbortSignal.timeout(30_000) });
    assert.equal(post.status, 403);
    const leases = ground.kube.kubeConfig.makeApiClient(CoordinationV1Api);
    const name = activationLeaseName(codeSha256(fenced.code));
    await assert.rejects(leases.readNamespacedLease({ namespace: leaseNamespace, name }), /404|not found/i);
  });

  test("unknown and malformed codes: 404 in the protocol's JSON shape, never 500", async () => {
    const [a] = ground.replicas;
    for (const code of ["x", "A".repeat(43), "%00", "..%2F..", "a".repeat(128)]) {
      const refused = await get(`${a.endpoint}/activate/${code}`, json);
      assert.equal(refused.status, 404, code);
      assert.equal((JSON.parse(refused.text) as { errorCode: string }).errorCode, "RESOURCE_DOES_NOT_EXIST");
    }
    const query = await get(`${ground.links.browsing?.url}?x=1`, json);
    assert.equal(query.status, 400);
  });

  test("every use is audited with the recipient, and no code or token reaches a log", async () => {
    const events = (await Promise.all(ground.auditFiles.map(auditEvents))).flat();
    const activations = events.filter((event) => event.kind === "activate");
    const of = (name: string) => activations.filter((event) => event.recipient === name);
    assert.deepEqual(
      of("alice")
        .map((event) => event.status)
        .sort(),
      [200, 404, 404, 404],
    );
    assert.ok(
      of("late").every((event) => event.status === 404 && event.errorCode === "RESOURCE_DOES_NOT_EXIST"),
    );
    assert.ok(of("fenced").every((event) => event.status === 403));
    const secrets = Object.values(ground.links).flatMap((link) => [link.code, link.token]);
    const texts = Object.fromEntries(
      ground.replicas.map((replica, index) => [`replica-${index}`, replica.output()]),
    );
    assertNoSecrets(texts, secrets);
  });
});
