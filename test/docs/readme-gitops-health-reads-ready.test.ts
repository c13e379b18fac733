// The README's Argo CD health customisation, run on gopher-lua (the Lua Argo CD embeds) against
// each kind's objects: Healthy only when Ready is True for the current generation, Degraded when
// it is False, Progressing otherwise. And the Flux health expressions cover the three kinds.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { parse } from "yaml";
import { group } from "../../operator/api/group.ts";
import { allKinds } from "../../operator/api/kinds.ts";
import { luaHealthBinary } from "../ground/lua.ts";
import { codeBlocks, readme } from "./readmeBlocks.ts";

interface Health {
  status: string;
  message?: string;
}

let scratch: string;
let scripts: Record<string, string>;
let flux: {
  spec: { healthCheckExprs: { apiVersion: string; kind: string; current: string; failed?: string }[] };
};

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), "dso-gitops-"));
  const blocks = codeBlocks(await readme()).filter((block) => block.info === "yaml");
  const argo = blocks.find((block) =>
    block.lines.some((line) => line.includes("resource.customizations.health")),
  );
  const kustomization = blocks.find((block) => block.lines.some((line) => line.includes("healthCheckExprs")));
  assert.ok(argo && kustomization, "the README shows the Argo CD and the Flux health settings");
  scripts = (parse(argo.text) as { data: Record<string, string> }).data;
  flux = parse(kustomization.text) as typeof flux;
});

after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function health(script: string, object: object): Promise<Health> {
  const path = join(scratch, "health.lua");
  await writeFile(path, script);
  return new Promise((resolve, reject) => {
    const child = execFile(luaHealthBinary(), [path], { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as Health);
    });
    child.stdin?.end(JSON.stringify(object));
  });
}

const ready = (status: string, reason: string, observedGeneration = 3) => ({
  type: "Ready",
  status,
  reason,
  message: `${reason} message`,
  observedGeneration,
  lastTransitionTime: "2026-01-01T00:00:00Z",
});

const cases: [string, object, string, RegExp?][] = [
  ["no status yet", {}, "Progressing"],
  ["Ready True", { conditions: [ready("True", "Serving")] }, "Healthy"],
  [
    "Ready True among other conditions",
    { conditions: [{ ...ready("False", "DeploymentPending"), type: "Available" }, ready("True", "Serving")] },
    "Healthy",
  ],
  ["Ready False", { conditions: [ready("False", "InvalidConfig")] }, "Degraded", /InvalidConfig/],
  [
    "Ready Unknown",
    { conditions: [ready("Unknown", "DeploymentPending")] },
    "Progressing",
    /DeploymentPending/,
  ],
  [
    "Ready True for an older generation",
    { conditions: [ready("True", "Serving", 2)] },
    "Progressing",
    /generation 3/,
  ],
  [
    "Ready False for an older generation",
    { conditions: [ready("False", "InvalidConfig", 2)] },
    "Progressing",
  ],
];

test("Argo CD gets one health script for each of the three kinds", () => {
  assert.deepEqual(
    Object.keys(scripts).sort(),
    allKinds.map((kind) => `resource.customizations.health.${group}_${kind.kind}`).sort(),
  );
});

for (const [name, status, expected, message] of cases) {
  test(`Argo CD health: ${name} is ${expected}, for every kind`, async () => {
    for (const kind of allKinds) {
      const script = scripts[`resource.customizations.health.${group}_${kind.kind}`] ?? "";
      const object = {
        apiVersion: `${group}/v1alpha1`,
        kind: kind.kind,
        metadata: { name: "x", generation: 3 },
        status,
      };
      const result = await health(script, object);
      assert.equal(result.status, expected, `${kind.kind}: ${JSON.stringify(result)}`);
      if (message) assert.match(result.message ?? "", message);
    }
  });
}

test("the Flux Kustomization reads Ready for the current generation of each kind", () => {
  assert.deepEqual(
    flux.spec.healthCheckExprs.map((each) => [each.apiVersion, each.kind]),
    allKinds.map((kind) => [`${group}/v1alpha1`, kind.kind]),
  );
  for (const each of flux.spec.healthCheckExprs) {
    assert.match(
      each.current,
      /c\.type == 'Ready' && c\.status == 'True' && c\.observedGeneration == metadata\.generation/,
    );
    assert.match(each.failed ?? "", /c\.type == 'Ready' && c\.status == 'False'/);
  }
});
