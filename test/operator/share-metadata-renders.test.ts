// A DeltaShare's displayName and properties reach the server configuration the operator renders,
// and that configuration passes the server's own schema.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Value } from "@sinclair/typebox/value";
import { renderShareConfig } from "../../operator/render/shareConfig.ts";
import { ShareConfig } from "../../server/config/schema.ts";
import { share } from "./resources.ts";

test("displayName and properties of a DeltaShare are rendered into its share configuration", () => {
  const properties = { owner: "mobility-team", region: "eu-west-1" };
  const { config } = renderShareConfig(
    share("described", {
      serverRef: { name: "sharing" },
      displayName: "Mobility Share",
      properties,
      schemas: [{ name: "s", tables: [{ name: "t", location: "s3://bucket/t" }] }],
    }),
  );
  assert.equal(config.displayName, "Mobility Share");
  assert.deepEqual(config.properties, properties);
  assert.ok(Value.Check(ShareConfig, Value.Default(ShareConfig, structuredClone(config))));
});
