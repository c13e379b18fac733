// The test ground's Spark side, as test/ground/spark/install.sh makes it: a venv with pyspark and
// delta-spark (kept apart from the base venv) and the delta-spark jars, and bounded runs of Python
// scripts in that venv.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { cachePath, repoRoot } from "./paths.ts";

const installScript = "test/ground/spark/install.sh";

function installed(): { python: string; jars: string } {
  const here = join(repoRoot, "test", "ground", "spark");
  const requirements = readFileSync(join(here, "requirements.txt"));
  const hash = createHash("sha256").update(requirements).digest("hex").slice(0, 16);
  const delta = /^delta_version=(\S+)$/m.exec(readFileSync(join(here, "install.sh"), "utf8"))?.[1];
  const venv = cachePath(`spark-venv-${hash}`);
  const jars = cachePath(`spark-jars-delta-${delta}`);
  if (!existsSync(join(venv, ".installed")) || !existsSync(join(jars, ".installed"))) {
    throw new Error(`the test-ground Spark venv or jars are missing (${venv}); run: bash ${installScript}`);
  }
  return { python: join(venv, "bin", "python"), jars };
}

/** The folder of jars Spark sessions are given with spark.jars. */
export const sparkJars = (): string => installed().jars;

/** Runs a Python script in the Spark venv (UTC, so Spark and Python agree on times); its last stdout line as JSON. */
export function runSparkJson<T>(script: string, args: string[], timeoutMs = 900_000): Promise<T> {
  const { python } = installed();
  const scriptPath = isAbsolute(script) ? script : join(repoRoot, script);
  return new Promise((resolve, reject) => {
    execFile(
      python,
      [scriptPath, ...args],
      {
        cwd: repoRoot,
        env: { ...process.env, TZ: "UTC", PYSPARK_PYTHON: python },
        timeout: timeoutMs,
        killSignal: "SIGKILL",
        maxBuffer: 256 * 1024 * 1024,
        encoding: "utf8",
      },
      (error, stdout, stderr) => {
        if (error) {
          const how = error.killed
            ? `killed after ${timeoutMs} ms`
            : `exited with ${error.code ?? error.signal}`;
          reject(new Error(`spark python ${script} ${how}\n--- stderr ---\n${stderr.slice(-8000)}`));
          return;
        }
        try {
          // Spark's JVM prints to the same stdout (VACUUM's "Deleted N files"): the JSON is the last line
          const last = stdout.trimEnd().split("\n").at(-1) ?? "";
          resolve(JSON.parse(last) as T);
        } catch (parseError) {
          reject(
            new Error(
              `spark python ${script}: stdout is not JSON (${String(parseError)}): ${stdout.slice(0, 500)}`,
            ),
          );
        }
      },
    );
  });
}
