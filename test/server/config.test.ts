import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfigText } from "../../server/config/load.ts";
import { Catalog } from "../../server/shares/catalog.ts";
import { refusal } from "./configRefusal.ts";

const valid = `
version: 1
authorization:
  bearerToken: secret
shares:
  - name: Sales
    schemas:
      - name: default
        tables:
          - name: orders
            location: s3a://bucket/orders
`;

describe("server configuration", () => {
  it("accepts a reference-server style file and fills in defaults", () => {
    const config = parseConfigText(valid, "server.yaml");
    assert.equal(config.port, 8080);
    assert.equal(config.endpoint, "/delta-sharing");
    assert.equal(config.preSignedUrlTimeoutSeconds, 3600);
    assert.equal(config.shares[0]?.schemas[0]?.tables[0]?.location, "s3a://bucket/orders");
  });

  it("refuses an unknown key, naming the key and its line", () => {
    const message = refusal(valid.replace("location: s3a://bucket/orders", "locaton: s3a://bucket/orders"));
    assert.match(
      message,
      /server\.yaml:11:\d+: shares\[0\]\.schemas\[0\]\.tables\[0\]\.locaton is not a known key/,
    );
    assert.match(message, /tables\[0\]\.location is required/);
  });

  it("refuses a wrong value type and an unknown top-level key", () => {
    const message = refusal(`${valid}port: eighty\nstorage:\n  endpoint: x\n`);
    assert.match(message, /port .*integer/i);
    assert.match(message, /storage is not a known key/);
  });

  it("refuses names the protocol forbids and duplicate names ignoring case", () => {
    assert.match(refusal(valid.replace("name: orders", "name: or.ders")), /tables\[0\]\.name/);
    const twice = `${valid}  - name: sales\n    schemas: []\n`;
    assert.match(refusal(twice), /shares\[1\]\.name repeats another share's name/);
  });

  it("refuses version 2 and unsupported locations", () => {
    assert.match(refusal(valid.replace("version: 1", "version: 2")), /version/);
    assert.match(
      refusal(valid.replace("s3a://bucket/orders", "wasbs://c@a.blob/x")),
      /not a supported location/,
    );
  });

  it("reports invalid YAML with its position", () => {
    assert.match(refusal("version: 1\nshares: [\n"), /server\.yaml:\d+:\d+: not valid YAML/);
  });

  it("derives a stable table id when the config gives none", () => {
    const first = new Catalog(parseConfigText(valid, "a.yaml"));
    const second = new Catalog(parseConfigText(valid.replace("name: Sales", "name: SALES"), "b.yaml"));
    const id = [...first.allTables()][0]?.id;
    assert.match(id ?? "", /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal([...second.allTables()][0]?.id, id);
  });
});
