// Concurrent /query load from wrk (Debian's package; bench/install.sh installs it): a fixed number
// of connections for a fixed time, each sending the same POST. Throughput and latency percentiles
// come from wrk's own report (--latency), which corrects nothing and hides nothing.
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

export interface LoadResult {
  connections: number;
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx answers plus socket errors. */
  errors: number;
}

function toMs(value: string, unit: string): number {
  const n = Number(value);
  return unit === "us"
    ? n / 1000
    : unit === "ms"
      ? n
      : unit === "s"
        ? n * 1000
        : unit === "m"
          ? n * 60_000
          : NaN;
}

function percentile(output: string, label: string): number {
  const match = new RegExp(`^\\s*${label}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, "m").exec(output);
  return match ? toMs(match[1] ?? "", match[2] ?? "") : NaN;
}

export function parseWrk(output: string, connections: number, seconds: number): LoadResult {
  const requests = Number(/(\d+) requests in/.exec(output)?.[1] ?? NaN);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? NaN);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(output)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return {
    connections,
    seconds,
    requests,
    requestsPerSecond: rps,
    p50Ms: percentile(output, "50"),
    p99Ms: percentile(output, "99"),
    errors: non2xx + socketErrors,
  };
}

export interface LoadSpec {
  url: string;
  method: "GET" | "POST";
  /** Bearer tokens, taken in turn request by request (several: several recipients). */
  tokens: string[];
  body?: unknown;
  connections: number;
  seconds: number;
  threads: number;
  workDir: string;
}

/** The wrk script: one request per call, the tokens in turn. */
export function wrkScript(spec: Pick<LoadSpec, "method" | "tokens" | "body">): string {
  const body = spec.body === undefined ? "nil" : JSON.stringify(JSON.stringify(spec.body));
  return [
    `local tokens = { ${spec.tokens.map((token) => JSON.stringify(token)).join(", ")} }`,
    `local body = ${body}`,
    "local counter = 0",
    "request = function()",
    "  counter = counter + 1",
    '  local headers = { Authorization = "Bearer " .. tokens[(counter % #tokens) + 1] }',
    '  if body then headers["Content-Type"] = "application/json" end',
    `  return wrk.format(${JSON.stringify(spec.method)}, nil, headers, body)`,
    "end",
    "",
  ].join("\n");
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const script = join(spec.workDir, `load-${process.hrtime.bigint()}.lua`);
  await writeFile(script, wrkScript(spec), { mode: 0o600 });
  const { stdout } = await promisify(execFile)(
    "wrk",
    [
      `-t${spec.threads}`,
      `-c${spec.connections}`,
      `-d${spec.seconds}s`,
      "--timeout",
      "60s",
      "--latency",
      "-s",
      script,
      spec.url,
    ],
    { timeout: (spec.seconds + 90) * 1000, killSignal: "SIGKILL", maxBuffer: 16 * 1024 * 1024 },
  );
  return parseWrk(stdout, spec.connections, spec.seconds);
}
