// The test ground's Python: the venv that test/ground/python/install.sh builds (official
// delta-sharing client, deltalake, pyarrow, pandas), and bounded runs of scripts in it.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { cachePath, repoRoot } from "./paths.ts";

const installScript = "test/ground/python/install.sh";

/** The venv folder install.sh makes from a requirements file (relative to the repository root), named as the script names it. */
export function venvPathOf(requirementsPath: string, name: string): string {
  const requirements = readFileSync(join(repoRoot, requirementsPath));
  const hash = createHash("sha256").update(requirements).digest("hex").slice(0, 16);
  return cachePath(`${name}-${hash}`);
}

/** The client venv: official delta-sharing client, deltalake, pyarrow, pandas. */
export function venvPath(): string {
  return venvPathOf("test/ground/python/requirements.txt", "venv");
}

export function pythonBin(): string {
  const venv = venvPath();
  const python = join(venv, "bin", "python");
  if (!existsSync(join(venv, ".installed")) || !existsSync(python)) {
    throw new Error(`the test-ground Python venv is missing (${venv}); run: bash ${installScript}`);
  }
  return python;
}

export interface RunPythonOptions {
  /** Kill the run after this long; default 120 s. */
  timeoutMs?: number;
  /** Added to the test process's environment. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface PythonOutput {
  stdout: string;
  stderr: string;
}

/** Runs a Python script (a path, relative to the repository root unless absolute) in the venv. */
export function runPython(
  script: string,
  args: string[],
  options: RunPythonOptions = {},
): Promise<PythonOutput> {
  const python = pythonBin();
  const scriptPath = isAbsolute(script) ? script : join(repoRoot, script);
  const timeoutMs = options.timeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    execFile(
      python,
      [scriptPath, ...args],
      {
        cwd: options.cwd ?? repoRoot,
        env: { ...process.env, ...options.env },
        timeout: timeoutMs,
        killSignal: "SIGKILL",
        maxBuffer: 512 * 1024 * 1024,
        encoding: "utf8",
      },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve({ stdout, stderr });
          return;
        }
        const how = error.killed
          ? `killed after ${timeoutMs} ms`
          : `exited with ${error.code ?? error.signal}`;
        reject(
          new Error(`python ${script} ${args.join(" ")} ${how}\n--- stderr ---\n${stderr.slice(-8000)}`),
        );
      },
    );
  });
}

/** Runs a Python script and parses its stdout as JSON. */
export async function runPythonJson<T>(
  script: string,
  args: string[],
  options?: RunPythonOptions,
): Promise<T> {
  const { stdout } = await runPython(script, args, options);
  try {
    return JSON.parse(stdout) as T;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`python ${script}: stdout is not JSON (${reason}): ${stdout.slice(0, 500)}`);
  }
}
