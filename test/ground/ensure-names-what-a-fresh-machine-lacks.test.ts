// `npm test` starts with test/ground/ensure.sh: on a machine without the tools the test ground is
// built with, it names each one (with the package that brings it) instead of failing half-way
// through an install.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { repoRoot } from "./paths.ts";

const run = promisify(execFile);

test("a machine with only a shell is told what to install", async () => {
  const bin = await mkdtemp(join(tmpdir(), "dso-bare-"));
  try {
    for (const tool of ["bash", "dirname"]) {
      const { stdout } = await run("bash", ["-c", `command -v ${tool}`]);
      await symlink(stdout.trim(), join(bin, tool));
    }
    const failed = await run(join(bin, "bash"), ["test/ground/ensure.sh"], {
      cwd: repoRoot,
      env: { PATH: bin, HOME: bin },
    }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    assert.ok(failed, "ensure.sh must fail without the tools");
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /^npm test needs, on this machine/);
    for (const named of [
      /- java \(openjdk-21-jdk-headless/,
      /- mvn \(maven/,
      /- go \(Go 1\.26/,
      /- python3 \(python3\.11/,
    ])
      assert.match(failed.stderr, named);
  } finally {
    await rm(bin, { recursive: true, force: true });
  }
});
