// Reads a Dockerfile into its stages and instructions, for the replay of its build outside a
// container. Only the subset this project's Dockerfile uses is understood; anything else is an
// error naming the line, so a new instruction cannot be silently skipped by the replay.
import { readFile } from "node:fs/promises";

export interface Instruction {
  keyword: string;
  /** `--name=value` flags before the arguments (COPY --from, RUN --mount). */
  flags: Map<string, string>;
  /** The arguments as written, ARG references not yet expanded. */
  text: string;
  /** The exec (JSON array) form, when the arguments were written as one. */
  exec?: string[];
  line: number;
}

export interface Stage {
  /** The base image reference, global ARGs expanded. */
  from: string;
  name?: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  globalArgs: Map<string, string>;
  stages: Stage[];
}

const known = new Set([
  "ARG",
  "FROM",
  "WORKDIR",
  "COPY",
  "RUN",
  "ENV",
  "USER",
  "ENTRYPOINT",
  "CMD",
  "LABEL",
  "EXPOSE",
]);

/** Joins continuation lines and drops comments and blank lines, keeping each instruction's first line number. */
function logicalLines(source: string): { text: string; line: number }[] {
  const result: { text: string; line: number }[] = [];
  let pending: { text: string; line: number } | undefined;
  source.split("\n").forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed.startsWith("#")) return; // comments, parser directives, and comment lines inside a continuation
    if (pending === undefined && trimmed === "") return;
    const continues = trimmed.endsWith("\\");
    const piece = continues ? trimmed.slice(0, -1).trimEnd() : trimmed;
    pending =
      pending === undefined
        ? { text: piece, line: index + 1 }
        : { ...pending, text: `${pending.text} ${piece}` };
    if (!continues) {
      result.push(pending);
      pending = undefined;
    }
  });
  if (pending !== undefined)
    throw new Error(`Dockerfile:${pending.line}: continuation runs past the end of the file`);
  return result;
}

/** Expands $NAME and ${NAME} from the given variables; an undefined one is an error, not an empty string. */
export function expand(text: string, variables: Map<string, string>, line: number): string {
  return text.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_, braced, bare) => {
    const name = (braced ?? bare) as string;
    const value = variables.get(name);
    if (value === undefined) throw new Error(`Dockerfile:${line}: $${name} is not declared`);
    return value;
  });
}

function parseInstruction(text: string, line: number): Instruction {
  const match = /^(\S+)\s*(.*)$/.exec(text);
  const keyword = (match?.[1] ?? "").toUpperCase();
  if (!known.has(keyword)) throw new Error(`Dockerfile:${line}: ${keyword} is not understood by the replay`);
  let rest = match?.[2] ?? "";
  const flags = new Map<string, string>();
  for (
    let flag = /^--([a-z-]+)=(\S+)\s*/.exec(rest);
    flag !== null;
    flag = /^--([a-z-]+)=(\S+)\s*/.exec(rest)
  ) {
    flags.set(flag[1] as string, flag[2] as string);
    rest = rest.slice(flag[0].length);
  }
  const instruction: Instruction = { keyword, flags, text: rest, line };
  if (rest.startsWith("[")) {
    const parsed: unknown = JSON.parse(rest);
    if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === "string")) {
      throw new Error(`Dockerfile:${line}: the exec form must be an array of strings`);
    }
    instruction.exec = parsed;
  }
  return instruction;
}

export function parseDockerfile(source: string): Dockerfile {
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const { text, line } of logicalLines(source)) {
    const instruction = parseInstruction(text, line);
    if (instruction.keyword === "FROM") {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.text);
      if (from === null) throw new Error(`Dockerfile:${line}: FROM <image> [AS <name>] expected`);
      const image = expand(from[1] as string, globalArgs, line);
      stages.push({ from: image, ...(from[2] !== undefined ? { name: from[2] } : {}), instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword !== "ARG") throw new Error(`Dockerfile:${line}: only ARG may come before FROM`);
      const [name, value] = instruction.text.split("=", 2);
      if (name === undefined || value === undefined)
        throw new Error(`Dockerfile:${line}: a global ARG needs a default`);
      globalArgs.set(name.trim(), value.trim());
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  if (stages.length === 0) throw new Error("Dockerfile: no FROM");
  return { globalArgs, stages };
}

export async function readDockerfile(path: string): Promise<Dockerfile> {
  return parseDockerfile(await readFile(path, "utf8"));
}

/** `KEY=value KEY2="value 2"` pairs, as ENV and LABEL write them. */
export function keyValuePairs(text: string, line: number): [string, string][] {
  const pairs: [string, string][] = [];
  const pattern = /\s*([A-Za-z_][A-Za-z0-9_.-]*)=("(?:[^"\\]|\\.)*"|\S*)/y;
  let at = 0;
  while (at < text.trimEnd().length) {
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (match === null)
      throw new Error(`Dockerfile:${line}: KEY=value pairs expected, got ${text.slice(at)}`);
    const raw = match[2] as string;
    pairs.push([match[1] as string, raw.startsWith('"') ? (JSON.parse(raw) as string) : raw]);
    at = pattern.lastIndex;
  }
  return pairs;
}
