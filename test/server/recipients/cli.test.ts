// The recipient command as a provider uses it by hand: the profile written to a private file, the
// configuration entry printed as YAML that the server accepts, and bad arguments refused.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse, stringify } from "yaml";
import { openActivation } from "../../../server/auth/activationSeal.ts";
import { parseConfigText } from "../../../server/config/load.ts";
import { recipientCommand } from "./cli.ts";

describe("the recipient command", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-cli-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes the profile to a file only its owner reads and prints an entry the server accepts", async () => {
    const profilePath = join(dir, "acme.share");
    const { stdout } = await recipientCommand([
      "create",
      "acme",
      "--endpoint",
      "https://sharing.example.com/delta-sharing/",
      "--share",
      "sales",
      "--allow",
      "203.0.113.0/24",
      "--expires-in",
      "90d",
      "--profile",
      profilePath,
    ]);
    const profile = JSON.parse(await readFile(profilePath, "utf8"));
    assert.equal((await stat(profilePath)).mode & 0o777, 0o600);
    assert.equal(profile.shareCredentialsVersion, 1);
    assert.equal(profile.endpoint, "https://sharing.example.com/delta-sharing");
    assert.ok(!stdout.includes(profile.bearerToken), "the token is not printed when written to a file");
    const entries = parse(stdout) as { name: string; tokens: { sha256: string; expiresAt: string }[] }[];
    const entry = entries[0];
    assert.equal(entry?.name, "acme");
    assert.equal(entry?.tokens[0]?.sha256, createHash("sha256").update(profile.bearerToken).digest("hex"));
    const days = (Date.parse(entry?.tokens[0]?.expiresAt ?? "") - Date.now()) / 86_400_000;
    assert.ok(days > 89.9 && days <= 90);
    assert.equal(profile.expirationTime, entry?.tokens[0]?.expiresAt);
    const config = parseConfigText(
      stringify({ version: 1, shares: [{ name: "sales", schemas: [] }], recipients: entries }),
      "server.yaml",
    );
    assert.deepEqual(config.recipients?.[0]?.allowedIpRanges, ["203.0.113.0/24"]);
  });

  it("with --activation prints a one-time link, never the token, and an entry whose sealed profile only the code opens", async () => {
    const { stdout } = await recipientCommand([
      "create",
      "outsider",
      "--endpoint",
      "https://sharing.example.com/delta-sharing",
      "--share",
      "sales",
      "--activation",
      "--activation-expires-in",
      "48h",
      "--json",
    ]);
    const answer = JSON.parse(stdout) as {
      activationUrl: string;
      activationExpiresAt: string;
      recipient: unknown;
    };
    const code = /^https:\/\/sharing\.example\.com\/delta-sharing\/activate\/([A-Za-z0-9_-]{43})$/.exec(
      answer.activationUrl,
    )?.[1];
    assert.ok(code, answer.activationUrl);
    const hours = (Date.parse(answer.activationExpiresAt) - Date.now()) / 3_600_000;
    assert.ok(hours > 47.9 && hours <= 48);
    const config = parseConfigText(
      stringify({ version: 1, shares: [{ name: "sales", schemas: [] }], recipients: [answer.recipient] }),
      "server.yaml",
    );
    const entry = config.recipients?.[0];
    assert.ok(entry?.activation);
    assert.equal(stdout.split(code).length, 2, "the code appears only in the link");
    const profile = JSON.parse(openActivation("outsider", entry.activation, code) ?? "null");
    assert.equal(createHash("sha256").update(profile.bearerToken).digest("hex"), entry.tokens[0]?.sha256);
    assert.ok(!stdout.includes(profile.bearerToken), "the token is not printed");
    const otherCode = code.startsWith("A") ? `B${code.slice(1)}` : `A${code.slice(1)}`;
    assert.equal(openActivation("outsider", entry.activation, otherCode), undefined);
    assert.equal(openActivation("someone-else", entry.activation, code), undefined);
  });

  it("refuses an unknown verb, a bad name, a bad range and a bad duration with usage", async () => {
    const endpoint = ["--endpoint", "https://x.example/delta-sharing"];
    for (const args of [
      ["frob", "acme", ...endpoint],
      ["create", "two words", ...endpoint],
      ["create", "acme", ...endpoint, "--allow", "10.0.0.0/99"],
      ["create", "acme", ...endpoint, "--expires-in", "90 days"],
      ["create", "acme"],
    ]) {
      await assert.rejects(recipientCommand(args), (error: { code?: number; stderr?: string }) => {
        assert.ok(error.code === 1 || error.code === 2, `exit code for ${args.join(" ")}`);
        assert.match(error.stderr ?? "", /^delta-sharing: /);
        return true;
      });
    }
  });
});
