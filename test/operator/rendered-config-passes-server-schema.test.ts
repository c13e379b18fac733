import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Value } from "@sinclair/typebox/value";
import fc from "fast-check";
import type { DeltaShare } from "../../operator/api/kinds.ts";
import { configProblems } from "../../operator/render/configProblems.ts";
import { planCredentials, tokenSha256 } from "../../operator/render/credentials.ts";
import { renderRecipientConfig } from "../../operator/render/recipientConfig.ts";
import { selectServedShares } from "../../operator/render/servedShares.ts";
import { renderServerConfig, serverConfigText } from "../../operator/render/serverConfig.ts";
import { parseConfigText } from "../../server/config/load.ts";
import { ServerConfig } from "../../server/config/schema.ts";
import { example, recipient, server, share } from "./resources.ts";

const now = new Date("2025-03-01T12:00:00Z");
let tokenCounter = 0;
const makeToken = () => `test-token-${String(++tokenCounter).padStart(40, "0")}`;

function renderAll(
  theServer = example().server,
  shares = example().shares,
  recipients = example().recipients,
) {
  const { served } = selectServedShares(theServer, shares);
  const names = new Map(served.map(({ rendered }) => [rendered.name.toLowerCase(), rendered.name]));
  const entries = recipients.map((each) => {
    const { credentials } = planCredentials(undefined, each.spec.token, now, makeToken, {
      defaultLifetime: "90d",
    });
    return { credentials, rendered: renderRecipientConfig(each, credentials, names) };
  });
  const config = renderServerConfig(
    theServer,
    served.map(({ rendered }) => rendered.config),
    entries.map(({ rendered }) => rendered.config),
  );
  return { config, entries };
}

describe("the server configuration the operator renders", () => {
  it("for examples/share.yaml passes the server's own schema and loader", () => {
    const { config } = renderAll();
    assert.ok(Value.Check(ServerConfig, Value.Default(ServerConfig, structuredClone(config))));
    assert.deepEqual(configProblems(config), []);
    const loaded = parseConfigText(serverConfigText(config), "rendered.yaml");
    assert.deepEqual(
      loaded.shares.map((each) => [
        each.name,
        each.schemas.map((schema) => schema.tables.map((table) => table.name)),
      ]),
      [["mobility", [["trips", "stations"]]]],
    );
    assert.equal(loaded.host, "0.0.0.0");
    assert.equal(loaded.port, 8080);
    assert.equal(loaded.preSignedUrlTimeoutSeconds, 900);
    assert.equal(loaded.signingKeyFile, "signing-key");
    assert.deepEqual(loaded.s3, { region: "eu-west-1" });
    assert.equal(loaded.publicUrl, "https://sharing.example.com");
    assert.equal(loaded.shares[0]?.schemas[0]?.tables[0]?.historyShared, true);
    assert.deepEqual(
      loaded.recipients?.map((each) => each.name),
      ["analytics-partner", "city-auditor"],
    );
    const auditor = loaded.recipients?.find((each) => each.name === "city-auditor");
    assert.deepEqual(auditor?.allowedIpRanges, ["203.0.113.0/24", "2001:db8:1200::/40"]);
    assert.deepEqual(auditor?.shares, ["mobility"]);
  });

  it("holds token hashes, never tokens, with each token's expiry", () => {
    const { config, entries } = renderAll();
    const text = serverConfigText(config);
    for (const { credentials } of entries) {
      assert.ok(!text.includes(credentials.token), "a plain token is in the configuration");
      assert.ok(text.includes(tokenSha256(credentials.token)));
    }
    const partner = config.recipients?.find((each) => each.name === "analytics-partner");
    assert.deepEqual(partner?.tokens, [
      { sha256: tokenSha256(entries[0]?.credentials.token ?? ""), expiresAt: "2025-05-30T12:00:00Z" },
    ]);
  });

  it("grants only shares the server serves; other grants are reported", () => {
    const theServer = server("s");
    const served = share("sales", {
      serverRef: { name: "s" },
      schemas: [{ name: "q", tables: [{ name: "t", location: "s3://bucket-a/t" }] }],
    });
    const reader = recipient("r", { serverRef: { name: "s" }, shares: ["SALES", "missing"] });
    const { config, entries } = renderAll(theServer, [served], [reader]);
    assert.deepEqual(config.recipients?.[0]?.shares, ["sales"]);
    assert.deepEqual(entries[0]?.rendered.unknownShares, ["missing"]);
    assert.deepEqual(configProblems(config), []);
  });

  it("for any spec the CRD schema admits, is a file the server accepts", () => {
    const name = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
    const location = fc.oneof(
      fc.constantFrom("s3://good-bucket/a/b", "s3a://other.bucket/x", "s3://b12/"),
      fc.constantFrom("s3://Bad_Bucket/x", "s3://ab/x", "s3://bucket/../x", "s3:///x", "s3://192.168.1.1/x"),
    );
    const table = fc.record({
      name,
      location,
      history: fc.boolean(),
      startVersion: fc.option(fc.nat(5), { nil: undefined }),
    });
    const schema = fc.record({
      name,
      tables: fc.uniqueArray(table, { minLength: 1, maxLength: 4, selector: (t) => t.name }),
    });
    const shareSpec = fc.record({
      shareName: name,
      schemas: fc.uniqueArray(schema, { minLength: 1, maxLength: 3, selector: (s) => s.name }),
    });
    fc.assert(
      fc.property(
        fc.array(shareSpec, { maxLength: 4 }),
        fc.array(fc.array(name, { maxLength: 3 }), { maxLength: 4 }),
        (specs, grants) => {
          const theServer = server("s");
          const shares: DeltaShare[] = specs.map((spec, index) =>
            share(`share-${index}`, {
              serverRef: { name: "s" },
              shareName: spec.shareName,
              schemas: spec.schemas.map((each) => ({
                name: each.name,
                tables: each.tables.map((t) => ({
                  name: t.name,
                  location: t.location,
                  history: t.history,
                  ...(t.startVersion !== undefined ? { startVersion: t.startVersion } : {}),
                })),
              })),
            }),
          );
          const recipients = grants.map((shareNames, index) =>
            recipient(`reader-${index}`, { serverRef: { name: "s" }, shares: [...new Set(shareNames)] }),
          );
          const { config } = renderAll(theServer, shares, recipients);
          assert.deepEqual(configProblems(config), []);
          parseConfigText(serverConfigText(config), "rendered.yaml");
        },
      ),
      { numRuns: 300 },
    );
  });
});
