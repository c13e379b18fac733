// Child processes of the test ground: started in their own process group, waited for with a
// bound, and killed with the whole group on stop or when the test process exits, so a failing
// test leaves no orphan behind.
import { type ChildProcess, spawn } from "node:child_process";
import { WaitAborted, waitUntil } from "./wait.ts";

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Called with the output so far until it answers true. */
  ready: (output: string) => Promise<boolean> | boolean;
  readyTimeoutMs?: number;
}

export interface RunningProcess {
  name: string;
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

const running = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

process.once("exit", () => {
  for (const child of running) killGroup(child, "SIGKILL");
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    for (const child of running) killGroup(child, "SIGKILL");
    process.exit(130);
  });
}

const outputLimit = 256 * 1024;

export async function startProcess(spec: ProcessSpec): Promise<RunningProcess> {
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env ?? process.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString("utf8");
    if (output.length > outputLimit) output = output.slice(-outputLimit);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  exited.then(() => running.delete(child));

  const stop = async () => {
    killGroup(child, "SIGTERM");
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };

  try {
    await waitUntil(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new WaitAborted(`${spec.name} exited early (${child.exitCode ?? child.signalCode})`);
        }
        return spec.ready(output);
      },
      { timeoutMs: spec.readyTimeoutMs ?? 60_000, intervalMs: 200, what: `${spec.name} to be ready` },
    );
  } catch (error) {
    await stop();
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\n--- ${spec.name} output ---\n${output.slice(-8000)}`);
  }
  return { name: spec.name, child, output: () => output, stop };
}
