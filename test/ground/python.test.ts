import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { repoRoot } from "./paths.ts";
import { pythonBin, runPython, runPythonJson } from "./python.ts";

function pinned(name: string): string {
  const requirements = readFileSync(join(repoRoot, "test/ground/python/requirements.txt"), "utf8");
  const line = requirements.split("\n").find((l) => l.toLowerCase().startsWith(`${name}==`));
  assert.ok(line, `${name} is pinned in requirements.txt`);
  return line.split("==")[1]?.trim() ?? "";
}

describe("test-ground Python", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dso-python-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("the venv's Python exists", () => {
    assert.match(pythonBin(), /venv-[0-9a-f]{16}\/bin\/python$/);
  });

  test("the official delta-sharing client and deltalake import at their pinned versions", async () => {
    const versions = await runPythonJson<Record<string, string>>("test/ground/python/versions.py", []);
    assert.equal(versions.deltaSharing, pinned("delta-sharing"));
    assert.equal(versions.deltaSharingDist, pinned("delta-sharing"));
    assert.match(versions.deltaSharing ?? "", /^1\.4\./);
    assert.equal(versions.deltalake, pinned("deltalake"));
    assert.match(versions.deltalake ?? "", /^1\.6\./);
    assert.equal(versions.pandas, pinned("pandas"));
    assert.equal(versions.pyarrow, pinned("pyarrow"));
  });

  test("a failing script rejects with its stderr", async () => {
    const script = join(dir, "fails.py");
    await writeFile(script, "import sys\nprint('the reason', file=sys.stderr)\nsys.exit(3)\n");
    await assert.rejects(runPython(script, []), (error: Error) => {
      assert.match(error.message, /exited with 3/);
      assert.match(error.message, /the reason/);
      return true;
    });
  });

  test("a script that outlives its timeout is killed", async () => {
    const script = join(dir, "sleeps.py");
    await writeFile(script, "import time\ntime.sleep(30)\n");
    const started = Date.now();
    await assert.rejects(runPython(script, [], { timeoutMs: 500 }), /killed after 500 ms/);
    assert.ok(Date.now() - started < 10_000);
  });

  test("arguments reach the script and JSON stdout is parsed", async () => {
    const script = join(dir, "echo.py");
    await writeFile(script, "import json, sys\nprint(json.dumps({'args': sys.argv[1:]}))\n");
    assert.deepEqual(await runPythonJson(script, ["a b", "--c"]), { args: ["a b", "--c"] });
  });
});
