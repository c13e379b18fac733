// The Dockerfile passes hadolint with no finding at any level (style included), and the linter is
// really looking: a Dockerfile with known faults gets those faults reported.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { hadolintBinary } from "../ground/hadolint.ts";
import { repoRoot } from "../ground/paths.ts";

const run = promisify(execFile);

interface Finding {
  code: string;
  level: string;
  line: number;
  message: string;
}

async function lint(path: string): Promise<Finding[]> {
  // exit code 1 means findings; the JSON on stdout says which
  const result = await run(hadolintBinary(), ["--format", "json", "--no-fail", path], { timeout: 60_000 });
  return JSON.parse(result.stdout) as Finding[];
}

test("the Dockerfile has no hadolint finding at any level", async () => {
  const findings = await lint(join(repoRoot, "Dockerfile"));
  assert.deepEqual(
    findings.map((each) => `${each.line} ${each.code} ${each.level}: ${each.message}`),
    [],
  );
});

test("hadolint reports the faults of a known-bad Dockerfile", async () => {
  const dir = await mkdtemp(join(tmpdir(), "dso-hadolint-"));
  try {
    const path = join(dir, "Dockerfile");
    await writeFile(path, "FROM node:latest\nRUN cd /app && npm install\nCMD node server.js\n");
    const codes = new Set((await lint(path)).map((each) => each.code));
    for (const code of ["DL3007", "DL3003", "DL3025"])
      assert.ok(codes.has(code), `${code} not reported: ${[...codes]}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
