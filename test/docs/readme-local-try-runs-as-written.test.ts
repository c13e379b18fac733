// Every command of the README's five-minute local try, run as written: the `sh server` block in
// the background until it says where the profile is, then each line of the `sh client` block in a
// shell, in order, each bounded in time. Two facts of this machine stand in for the reader's: the
// server gets a free port through PORT (scripts/start.ts reads it; the command stays `npm start`),
// and `pip` and `python3` are the test ground's venv, where the official client is installed.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { repoRoot } from "../ground/paths.ts";
import { freePort } from "../ground/ports.ts";
import { type RunningProcess, startProcess } from "../ground/process.ts";
import { pythonBin } from "../ground/python.ts";
import { codeBlocks, markedPart, readme } from "./readmeBlocks.ts";

const run = promisify(execFile);
const profilePath = "/tmp/delta-sharing-operator-sample/sample.share";

const servers: RunningProcess[] = [];
let blocks: ReturnType<typeof codeBlocks>;

before(async () => {
  blocks = codeBlocks(markedPart(await readme(), "local-try"));
});

after(async () => {
  for (const server of servers) await server.stop();
});

test("the local try is one server block and one client block", () => {
  assert.deepEqual(
    blocks.map((block) => block.info),
    ["sh server", "sh client"],
  );
  assert.deepEqual(blocks[0]?.lines, ["npm start"]);
});

test("every command of the local try runs as written and reads the sample share", async () => {
  const port = await freePort();
  for (const command of blocks.find((block) => block.info === "sh server")?.lines ?? []) {
    servers.push(
      await startProcess({
        name: command,
        command: "/bin/sh",
        args: ["-c", command],
        cwd: repoRoot,
        env: { ...process.env, PORT: String(port), TMPDIR: "/tmp" },
        ready: (output) => output.includes(`Recipient profile: ${profilePath}`),
        readyTimeoutMs: 60_000,
      }),
    );
  }
  assert.match(
    servers[0]?.output() ?? "",
    new RegExp(`Serving the sample share at http://127\\.0\\.0\\.1:${port}/`),
  );

  const venvBin = join(pythonBin(), "..");
  const outputs: string[] = [];
  for (const command of blocks.find((block) => block.info === "sh client")?.lines ?? []) {
    const { stdout, stderr } = await run("/bin/sh", ["-c", command], {
      cwd: repoRoot,
      timeout: 120_000,
      env: { ...process.env, PATH: `${venvBin}:${process.env.PATH}`, PIP_DISABLE_PIP_VERSION_CHECK: "1" },
    }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`${command} failed: ${error.message}\n${error.stdout ?? ""}${error.stderr ?? ""}`);
    });
    assert.doesNotMatch(stderr, /Traceback/, command);
    outputs.push(stdout);
  }
  const [pip, listing, latest, versionZero, changes] = outputs;
  assert.match(pip ?? "", /delta-sharing/);
  assert.match(listing ?? "", /Table\(name='stations', share='sample', schema='default'\)/);
  assert.match(listing ?? "", /Table\(name='trips', share='sample', schema='default'\)/);
  const rows = (text = "") => Number(/\[(\d+) rows x \d+ columns\]/.exec(text)?.[1] ?? Number.NaN);
  assert.ok(rows(latest) > rows(versionZero), "version 0 holds fewer trips than the latest");
  assert.match(changes ?? "", /update_preimage/);
  assert.match(changes ?? "", /update_postimage/);
});
