// Who may have a table's directory: the refusal rule on its own (including the hook per-recipient
// partition filters will fill), the access modes it implies, and the configurations refused.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stringify } from "yaml";
import { directoryAccessRefusal } from "../../../server/auth/directoryAccess.ts";
import { everyShare, grantedShares } from "../../../server/auth/identity.ts";
import { parseConfigText } from "../../../server/config/load.ts";
import { tableAccess } from "../../../server/protocol/accessModes.ts";
import { parsePartitionFilter } from "../../../server/selection/partitionFilter.ts";
import type { SharedTable } from "../../../server/shares/catalog.ts";
import { roleSessionName } from "../../../server/storage/tableCredentials.ts";
import { refusal } from "../configRefusal.ts";

const table: SharedTable = {
  share: "sales",
  shareId: "s",
  schema: "s",
  name: "orders",
  id: "t",
  location: "s3://tables/sales/orders",
  extraRoots: [],
  historyShared: true,
  startVersion: 0,
  directoryAccess: true,
};
const reader = grantedShares("reader", { shares: ["sales"], directoryAccess: true });
const plain = grantedShares("plain", { shares: ["sales"], directoryAccess: false });

describe("directory access refusals", () => {
  it("grants a table that offers it to a recipient allowed it, and says dir with the location", () => {
    assert.equal(directoryAccessRefusal(table, reader), undefined);
    assert.deepEqual(tableAccess(table, reader), {
      accessModes: ["url", "dir"],
      location: "s3://tables/sales/orders",
    });
  });

  it("refuses wherever the directory would show more than the recipient is shown", () => {
    const cases: [SharedTable, typeof reader, RegExp][] = [
      [{ ...table, directoryAccess: false }, reader, /does not offer directory access/],
      [table, plain, /recipient 'plain' is not allowed/],
      [table, everyShare("bearer"), /recipient 'bearer' is not allowed/],
      [{ ...table, historyShared: false }, reader, /does not share its history/],
      [{ ...table, startVersion: 3 }, reader, /from version 3 only/],
      [{ ...table, extraRoots: ["s3://tables/base"] }, reader, /outside its directory/],
      [{ ...table, location: "/data/orders" }, reader, /not stored in S3/],
    ];
    for (const [refused, identity, reason] of cases) {
      assert.match(directoryAccessRefusal(refused, identity) ?? "granted", reason);
      assert.deepEqual(tableAccess(refused, identity), { accessModes: ["url"] });
    }
  });

  it("refuses a recipient that reads the table through a partition filter", () => {
    const text = "region = CURRENT_RECIPIENT('region')";
    const filtered = { ...table, partitionFilter: { text, node: parsePartitionFilter(text) } };
    assert.match(
      directoryAccessRefusal(filtered, reader) ?? "granted",
      /partition filter \(region = CURRENT_RECIPIENT\('region'\)\)/,
    );
    assert.deepEqual(tableAccess(filtered, reader), { accessModes: ["url"] });
  });
});

describe("the STS session name", () => {
  it("names the recipient within what STS accepts (2 to 64 of [\\w+=,.@-])", () => {
    assert.equal(roleSessionName("reader"), "delta-sharing@reader");
    for (const name of ["a b/c:d", "é".repeat(80), "x".repeat(255)]) {
      assert.match(roleSessionName(name), /^[\w+=,.@-]{2,64}$/);
    }
  });
});

describe("directory access configuration", () => {
  const hash = "a".repeat(64);
  const config = (extra: { table?: object; server?: object; recipient?: object }) =>
    stringify({
      version: 1,
      shares: [
        {
          name: "sales",
          schemas: [
            { name: "s", tables: [{ name: "orders", location: "s3://tables/sales/orders", ...extra.table }] },
          ],
        },
      ],
      recipients: [{ name: "reader", tokens: [{ sha256: hash }], shares: ["sales"], ...extra.recipient }],
      ...extra.server,
    });
  const server = { directoryAccess: { readerRoleArn: "arn:aws:iam::123456789012:role/reader" } };

  it("accepts a table and a recipient that opt in, with a reader role, and defaults to one hour", () => {
    const parsed = parseConfigText(
      config({ table: { directoryAccess: true }, recipient: { directoryAccess: true }, server }),
      "server.yaml",
    );
    assert.equal(parsed.directoryAccess?.sessionSeconds, 3600);
  });

  it("refuses opting in without a reader role, a bucket-wide table, and lifetimes STS refuses", () => {
    assert.match(refusal(config({ table: { directoryAccess: true } })), /directoryAccess.*readerRoleArn/);
    assert.match(refusal(config({ recipient: { directoryAccess: true } })), /directoryAccess.*readerRoleArn/);
    assert.match(
      refusal(config({ table: { directoryAccess: true, location: "s3://tables" }, server })),
      /key prefix/,
    );
    const seconds = (sessionSeconds: number) =>
      config({ server: { directoryAccess: { ...server.directoryAccess, sessionSeconds } } });
    assert.match(refusal(seconds(7200)), /sessionSeconds/);
    assert.match(refusal(seconds(600)), /sessionSeconds/);
  });
});
