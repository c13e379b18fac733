// The README's configuration reference is exactly what scripts/config-reference.ts generates from
// the schemas, so it cannot drift from them; and it covers every key of each schema.
import assert from "node:assert/strict";
import { test } from "node:test";
import { allCustomResourceDefinitions } from "../../operator/api/crds.ts";
import { configReference, sectionOf } from "../../scripts/config-reference.ts";
import { ServerConfig } from "../../server/config/schema.ts";
import { readme } from "./readmeBlocks.ts";

test("the README's configuration reference equals the generated one", async () => {
  assert.equal(
    sectionOf(await readme()),
    configReference(),
    "README.md is stale: run node scripts/config-reference.ts --write",
  );
});

test("the reference lists every top-level key of the server config and every spec field of each kind", () => {
  const reference = configReference();
  const listed = (path: string) =>
    new RegExp(`^\\| \`${path.replaceAll(".", "\\.")}\` +\\|`, "m").test(reference);
  for (const key of Object.keys(ServerConfig.properties)) assert.ok(listed(key), key);
  for (const crd of allCustomResourceDefinitions()) {
    const spec = (
      crd.spec as {
        versions: { schema: { openAPIV3Schema: { properties: { spec: { properties: object } } } } }[];
      }
    ).versions[0]?.schema.openAPIV3Schema.properties.spec.properties;
    for (const key of Object.keys(spec ?? {})) assert.ok(listed(`spec.${key}`), `spec.${key}`);
  }
});
