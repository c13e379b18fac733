// Directory access from the custom resources to the server's configuration: the reader role from
// the DeltaSharingServer, the opt-ins from DeltaShare tables and DeltaRecipients; without a reader
// role the opt-ins are left out (the server would refuse the file), and a table the session policy
// cannot name is served without directory access and reported.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { planCredentials } from "../../operator/render/credentials.ts";
import { renderRecipientConfig } from "../../operator/render/recipientConfig.ts";
import { renderServerConfig, serverConfigText } from "../../operator/render/serverConfig.ts";
import { renderShareConfig } from "../../operator/render/shareConfig.ts";
import { parseConfigText } from "../../server/config/load.ts";
import { recipient, server, share } from "./resources.ts";

const readerRoleArn = "arn:aws:iam::123456789012:role/delta-sharing-reader";
const sales = share("sales", {
  serverRef: { name: "sharing" },
  schemas: [
    {
      name: "s",
      tables: [
        { name: "orders", location: "s3://tables/sales/orders", history: true, directoryAccess: true },
        { name: "whole", location: "s3://whole-bucket", history: true, directoryAccess: true },
      ],
    },
  ],
});
const partner = recipient("partner", {
  serverRef: { name: "sharing" },
  shares: ["sales"],
  directoryAccess: true,
});

function render(directoryAccess?: { readerRoleArn: string; sessionSeconds?: number }) {
  const rendered = renderShareConfig(sales);
  const { credentials } = planCredentials(undefined, undefined, new Date(), () => "t".repeat(43), {
    defaultLifetime: "90d",
  });
  const recipientConfig = renderRecipientConfig(partner, credentials, new Map([["sales", "sales"]])).config;
  const theServer = server("sharing", directoryAccess ? { directoryAccess } : {});
  const config = renderServerConfig(theServer, [rendered.config], [recipientConfig]);
  return { rendered, loaded: parseConfigText(serverConfigText(config), "rendered.yaml") };
}

describe("directory access in the rendered configuration", () => {
  it("carries the reader role and the opt-ins, and the server accepts the file", () => {
    const { rendered, loaded } = render({ readerRoleArn, sessionSeconds: 1800 });
    assert.deepEqual(loaded.directoryAccess, { readerRoleArn, sessionSeconds: 1800 });
    const tables = loaded.shares[0]?.schemas[0]?.tables ?? [];
    assert.deepEqual(
      tables.map((table) => [table.name, table.directoryAccess ?? false]),
      [
        ["orders", true],
        ["whole", false],
      ],
    );
    assert.equal(loaded.recipients?.[0]?.directoryAccess, true);
    assert.match(
      rendered.problems.map((problem) => problem.message).join("\n"),
      /whole: directory access needs a table under a key prefix/,
    );
  });

  it("leaves the opt-ins out when the server names no reader role", () => {
    const { loaded } = render();
    assert.equal(loaded.directoryAccess, undefined);
    assert.equal(loaded.shares[0]?.schemas[0]?.tables[0]?.directoryAccess ?? false, false);
    assert.equal(loaded.recipients?.[0]?.directoryAccess ?? false, false);
  });
});
