// The replay's build context follows the builder's .dockerignore rules (last match wins, `!`
// re-includes, a pattern matching a parent folder excludes what is below it, `**` spans folders),
// and for this repository it holds the sources the image needs and nothing else.
import assert from "node:assert/strict";
import { test } from "node:test";
import { repoRoot } from "../ground/paths.ts";
import { contextFiles, isExcluded, parseDockerignore } from "./dockerignore.ts";

test("patterns are matched as the builder matches them", () => {
  const rules = parseDockerignore("# comment\n*\n!server\n**/*.test.ts\n!server/keep.test.ts\n/docs/\n");
  const cases: [string, boolean][] = [
    ["package.json", true],
    ["server/main.ts", false],
    ["server/deep/er/file.ts", false],
    ["server/a.test.ts", true],
    ["server/deep/b.test.ts", true],
    ["server/keep.test.ts", false],
    ["docs/index.md", true],
    ["serverless/x.ts", true],
  ];
  for (const [path, excluded] of cases) assert.equal(isExcluded(rules, path), excluded, path);
  assert.equal(isExcluded(parseDockerignore("a/*/c\n"), "a/b/c/d.txt"), true);
  assert.equal(isExcluded(parseDockerignore("a/*/c\n"), "a/b/x/c"), false);
  assert.equal(isExcluded(parseDockerignore("a?.txt\n"), "ab.txt"), true);
  assert.throws(() => parseDockerignore("[ab].txt\n"), /not supported/);
});

test("this repository's build context is the entry points' sources and the lockfile, no tests", async () => {
  const files = await contextFiles(repoRoot);
  const tops = [...new Set(files.map((file) => file.split("/")[0]))].sort();
  assert.deepEqual(tops, ["bin", "operator", "package-lock.json", "package.json", "server"]);
  assert.deepEqual(
    files.filter((file) => file.endsWith(".test.ts")),
    [],
  );
  assert.ok(files.includes("bin/delta-sharing-operator.ts"));
  assert.ok(files.includes("server/main.ts"));
  assert.ok(files.includes("operator/main.ts"));
});
