// Schema Object (PROTOCOL.md): struct, array and map columns. A table deltalake wrote with them
// answers the schema deltalake recorded, field for field, through the official Python client and
// in the delta format. (Its rows are not compared here: the test harness turns pandas frames into
// Arrow, which cannot infer a map column from pandas.)
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { metadataWithClient } from "../fixtures/recipient.ts";
import { runPythonJson } from "../ground/python.ts";
import { startTestServer, type TestServer } from "./harness.ts";

interface Nested {
  location: string;
  schema: Record<string, unknown>;
  rows: number;
}

let dir: string;
let nested: Nested;
let server: TestServer;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "dso-nested-"));
  nested = await runPythonJson<Nested>("test/fixtures/write_nested.py", [dir]);
  server = await startTestServer({
    shares: [
      { name: "s", schemas: [{ name: "d", tables: [{ name: "nested", location: nested.location }] }] },
    ],
  });
});

after(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test("struct, array and map columns: the schema the writer recorded", async () => {
  const types = (nested.schema.fields as { type: unknown }[]).map((field) =>
    typeof field.type === "string" ? field.type : (field.type as { type: string }).type,
  );
  assert.deepEqual(types, ["integer", "struct", "array", "map"]);
  const metadata = await metadataWithClient(server.profilePath, "s.d.nested");
  assert.deepEqual(JSON.parse(metadata.schemaString), nested.schema);
  const delta = await server.api("/shares/s/schemas/d/tables/nested/metadata", {
    headers: { "delta-sharing-capabilities": "responseformat=delta" },
  });
  const [, line] = (await delta.text()).trim().split("\n");
  assert.deepEqual(JSON.parse(JSON.parse(line as string).metaData.deltaMetadata.schemaString), nested.schema);
});
