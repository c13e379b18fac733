// Names of files in `_delta_log`, per delta-io/delta PROTOCOL.md: commits, classic (single and
// multi-part) checkpoints, and v2 (UUID-named) checkpoints. Anything else there is ignored.

export const logDir = "_delta_log";

export type LogFile =
  | { kind: "commit"; version: number; path: string; size: number }
  | { kind: "checkpoint"; version: number; path: string; size: number; part: number; parts: number }
  | { kind: "v2checkpoint"; version: number; path: string; size: number; format: "json" | "parquet" };

const commitName = /^(\d{20})\.json$/;
const singleCheckpointName = /^(\d{20})\.checkpoint\.parquet$/;
const multiPartCheckpointName = /^(\d{20})\.checkpoint\.(\d{10})\.(\d{10})\.parquet$/;
const v2CheckpointName = /^(\d{20})\.checkpoint\.[0-9a-fA-F-]{36}\.(json|parquet)$/;

export function versionFileName(version: number): string {
  return String(version).padStart(20, "0");
}

export function parseLogFile(path: string, size: number): LogFile | undefined {
  const name = path.slice(path.lastIndexOf("/") + 1);
  let match = commitName.exec(name);
  if (match) return { kind: "commit", version: Number(match[1]), path, size };
  match = singleCheckpointName.exec(name);
  if (match) return { kind: "checkpoint", version: Number(match[1]), path, size, part: 1, parts: 1 };
  match = multiPartCheckpointName.exec(name);
  if (match) {
    return {
      kind: "checkpoint",
      version: Number(match[1]),
      path,
      size,
      part: Number(match[2]),
      parts: Number(match[3]),
    };
  }
  match = v2CheckpointName.exec(name);
  if (match) {
    return {
      kind: "v2checkpoint",
      version: Number(match[1]),
      path,
      size,
      format: match[2] as "json" | "parquet",
    };
  }
  return undefined;
}
