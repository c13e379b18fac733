import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Type as T } from "@sinclair/typebox";
import { crdFiles, toStructuralSchema } from "../../operator/api/crds.ts";
import { crdsDir } from "../../operator/api/generateCrds.ts";

describe("CRDs", () => {
  it("in crds/ are exactly what operator/api generates (run node operator/api/generateCrds.ts)", async () => {
    const generated = crdFiles();
    const committed = (await readdir(crdsDir)).filter((name) => name.endsWith(".yaml")).sort();
    assert.deepEqual(committed, [...generated.keys()].sort());
    for (const [name, text] of generated) {
      assert.equal(
        await readFile(join(crdsDir, name), "utf8"),
        text,
        `crds/${name} differs from the generated one`,
      );
    }
  });

  it("are generated only from keywords a structural schema allows", () => {
    assert.throws(() => toStructuralSchema(T.Record(T.String(), T.String())), /patternProperties/);
    assert.throws(() => toStructuralSchema(T.Literal("x")), /const/);
    assert.throws(
      () => toStructuralSchema(T.Object({ a: T.String() }, { additionalProperties: false })),
      /additionalProperties/,
    );
    assert.throws(() => toStructuralSchema(T.Union([T.String(), T.Number()])), /anyOf/);
  });
});
