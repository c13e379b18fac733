// Issue 13, reproduction 2 on the server's side: behind a proxy listed in trustedProxies, a
// recipient with an IP allow list is admitted from its own address and refused from another.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { startTestServer, type TestServer } from "../harness.ts";

const token = "proxied-recipient-".padEnd(43, "t");

describe("allow lists behind a trusted proxy", () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({
      shares: [{ name: "s", schemas: [] }],
      trustedProxies: ["127.0.0.1/32"],
      recipients: [
        {
          name: "partner",
          tokens: [{ sha256: createHash("sha256").update(token).digest("hex") }],
          shares: ["s"],
          allowedIpRanges: ["203.0.113.0/24"],
        },
      ],
    });
  });

  after(async () => server?.stop());

  const fromClient = (forwardedFor: string) =>
    fetch(`${server.endpoint}/shares`, {
      headers: { authorization: `Bearer ${token}`, "x-forwarded-for": forwardedFor },
    });

  test("admitted from its own address, refused from another, whatever the client prepends", async () => {
    assert.equal((await fromClient("203.0.113.7")).status, 200);
    assert.equal((await fromClient("198.51.100.1, 203.0.113.7")).status, 200);
    assert.equal((await fromClient("198.51.100.1")).status, 403);
    assert.equal((await fromClient("203.0.113.7, 198.51.100.1")).status, 403);
    assert.equal(
      (await fetch(`${server.endpoint}/shares`, { headers: { authorization: `Bearer ${token}` } })).status,
      403,
      "the proxy's own address is not the recipient's",
    );
  });
});
