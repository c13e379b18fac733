// The configuration of recipients and operations: what start-up (and every reload) refuses, with
// the key and line, and what it accepts.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { parseConfigText } from "../../../server/config/load.ts";
import { refusal } from "../configRefusal.ts";

const hash = (token: string) => createHash("sha256").update(token).digest("hex");

const shares = `
shares:
  - name: sales
    schemas: []
`;

const withRecipients = `version: 1
${shares}
recipients:
  - name: alice
    tokens:
      - sha256: ${hash("a")}
        expiresAt: 2030-01-01T00:00:00Z
      - sha256: ${hash("b")}
    shares: [Sales]
    allowedIpRanges: [10.0.0.0/8, "2001:db8::/32", 192.0.2.7]
trustedProxies: [10.0.0.1/32]
audit:
  destination: file
  file: /var/log/delta-sharing/audit.log
limits:
  rateLimit:
    requestsPerSecond: 10
`;

describe("recipients and operations in the configuration", () => {
  it("accepts recipients with hashed tokens, expiries, grants, ranges, proxies, audit and limits", () => {
    const config = parseConfigText(withRecipients, "server.yaml");
    assert.equal(config.recipients?.[0]?.tokens[0]?.expiresAt, "2030-01-01T00:00:00Z");
    assert.deepEqual(config.limits?.rateLimit, { requestsPerSecond: 10, burst: 200 });
    assert.equal(config.audit?.destination, "file");
    assert.equal(config.configReloadIntervalSeconds, 5);
    assert.equal(config.requestTimeoutSeconds, 30);
  });

  it("refuses a configuration with no way to authenticate, naming the choices", () => {
    assert.match(
      refusal(`version: 1\n${shares}`),
      /server\.yaml:1:1: the configuration names no way to authenticate: set recipients \(or authorization\.bearerToken, or allowAnonymous: true\)/,
    );
    assert.equal(
      parseConfigText(`version: 1\nallowAnonymous: true\n${shares}`, "s.yaml").allowAnonymous,
      true,
    );
    assert.match(
      refusal(`version: 1\nallowAnonymous: true\nauthorization:\n  bearerToken: t\n${shares}`),
      /allowAnonymous cannot be combined/,
    );
  });

  it("refuses the shared token and recipients together", () => {
    assert.match(
      refusal(`${withRecipients}authorization:\n  bearerToken: t\n`),
      /authorization cannot be combined with recipients/,
    );
  });

  it("refuses a token that is not a SHA-256 hex, and an expiry that is not an RFC 3339 time", () => {
    assert.match(
      refusal(withRecipients.replace(hash("b"), "plain-token")),
      /recipients\[0\]\.tokens\[1\]\.sha256/,
    );
    assert.match(
      refusal(withRecipients.replace("2030-01-01T00:00:00Z", "next year")),
      /server\.yaml:\d+:\d+: recipients\[0\]\.tokens\[0\]\.expiresAt .*date-time/,
    );
  });

  it("refuses grants of unknown shares, repeated names and tokens, and bad address ranges", () => {
    assert.match(
      refusal(withRecipients.replace("[Sales]", "[Sales, hr]")),
      /shares\[1\] grants share 'hr', which is not configured/,
    );
    const second = `  - name: ALICE\n    tokens:\n      - sha256: ${hash("b")}\n`;
    const message = refusal(withRecipients.replace("trustedProxies:", `${second}trustedProxies:`));
    assert.match(message, /recipients\[1\]\.name repeats another recipient's name/);
    assert.match(message, /recipients\[1\]\.tokens\[0\]\.sha256 is also a token of recipient 'alice'/);
    assert.match(
      refusal(withRecipients.replace("10.0.0.0/8,", "10.0.0.0/33,")),
      /allowedIpRanges\[0\] is not a CIDR/,
    );
    assert.match(
      refusal(withRecipients.replace("[10.0.0.1/32]", "[proxy.local]")),
      /trustedProxies\[0\] is not a CIDR/,
    );
  });

  it("refuses an audit file without destination file, and destination file without a file", () => {
    assert.match(
      refusal(withRecipients.replace("  destination: file\n", "")),
      /audit\.file is only used with destination: file/,
    );
    assert.match(
      refusal(withRecipients.replace("  file: /var/log/delta-sharing/audit.log\n", "")),
      /audit\.file is required when the audit destination is file/,
    );
  });
});
