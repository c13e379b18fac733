// Timed requests from the benchmark's side: the whole body is read (bytes and lines counted, not
// kept) and the clock stops at its last byte, which is what a recipient waits for.
import { request as httpRequest } from "node:http";

export interface Timed {
  ms: number;
  status: number;
  bytes: number;
  lines: number;
  /** The first lines of the body (for checks and error messages). */
  head: string;
  /** The whole body, when keepBody was asked for. */
  body?: string;
}

export interface RequestSpec {
  method: "GET" | "POST";
  url: string;
  token: string;
  body?: unknown;
  timeoutMs?: number;
  keepBody?: boolean;
}

const newline = 0x0a;

export function timedRequest(spec: RequestSpec): Promise<Timed> {
  const payload = spec.body === undefined ? undefined : JSON.stringify(spec.body);
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const req = httpRequest(
      spec.url,
      {
        method: spec.method,
        headers: {
          authorization: `Bearer ${spec.token}`,
          ...(payload !== undefined
            ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }
            : {}),
        },
        timeout: spec.timeoutMs ?? 600_000,
      },
      (response) => {
        let bytes = 0;
        let lines = 0;
        let head = "";
        const kept: Buffer[] = [];
        response.on("data", (chunk: Buffer) => {
          if (spec.keepBody) kept.push(chunk);
          bytes += chunk.length;
          for (let i = chunk.indexOf(newline); i !== -1; i = chunk.indexOf(newline, i + 1)) lines++;
          if (head.length < 2048) head += chunk.subarray(0, 2048).toString("utf8");
        });
        response.on("end", () => {
          const ms = Number(process.hrtime.bigint() - start) / 1e6;
          const status = response.statusCode ?? 0;
          const result: Timed = { ms, status, bytes, lines, head: head.slice(0, 2048) };
          if (spec.keepBody) result.body = Buffer.concat(kept).toString("utf8");
          resolve(result);
        });
        response.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${spec.method} ${spec.url}: no answer in time`)));
    req.on("error", reject);
    req.end(payload);
  });
}

/** A request that must answer 200; the error names the status and the start of the body. */
export async function okRequest(spec: RequestSpec): Promise<Timed> {
  const result = await timedRequest(spec);
  if (result.status !== 200) {
    throw new Error(`${spec.method} ${spec.url} answered ${result.status}: ${result.head.slice(0, 500)}`);
  }
  return result;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? NaN)
    : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}
