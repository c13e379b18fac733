// Reads and validates the configuration file. Unknown keys and wrong values are refused with the
// key's path and its line in the file: the reference server silently ignores them, and a typo
// there quietly shares nothing or the wrong thing.
import { readFile } from "node:fs/promises";
import { FormatRegistry } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { LineCounter, parseDocument } from "yaml";
import { ServerConfig } from "./schema.ts";
import { checkConfigSemantics } from "./semantics.ts";

// RFC 3339 date-times, with a zone, as token expiries are written
const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
if (!FormatRegistry.Has("date-time")) {
  FormatRegistry.Set("date-time", (value) => rfc3339.test(value) && !Number.isNaN(Date.parse(value)));
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

type Located = (path: (string | number)[]) => string;

export function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

export function formatPath(path: (string | number)[]): string {
  return path.reduce<string>((text, part) => {
    if (typeof part === "number") return `${text}[${part}]`;
    return text === "" ? part : `${text}.${part}`;
  }, "");
}

function describeError(error: { path: string; message: string; schema: unknown; value: unknown }): string {
  const schema = error.schema as { anyOf?: { const?: unknown }[]; const?: unknown };
  if (schema.anyOf?.every((option) => option.const !== undefined)) {
    return `must be one of ${schema.anyOf.map((option) => JSON.stringify(option.const)).join(", ")}`;
  }
  if (error.message.startsWith("Unexpected property")) return "is not a known key";
  if (error.message.startsWith("Expected required property")) return "is required";
  return error.message.charAt(0).toLowerCase() + error.message.slice(1);
}

export function parseConfigText(text: string, source: string): ServerConfig {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  if (document.errors.length > 0) {
    const first = document.errors[0];
    const where = first?.linePos?.[0] ? `${source}:${first.linePos[0].line}:${first.linePos[0].col}` : source;
    throw new ConfigError(
      `${where}: not valid YAML: ${first?.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "") ?? "parse error"}`,
    );
  }
  const located: Located = (path) => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = document.getIn(path.slice(0, depth), true) as
        | { range?: [number, number, number] }
        | undefined;
      if (node?.range) {
        const position = lineCounter.linePos(node.range[0]);
        return `${source}:${position.line}:${position.col}`;
      }
    }
    return source;
  };

  const raw: unknown = document.toJS({ maxAliasCount: 100 }) ?? {};
  const withDefaults = Value.Default(ServerConfig, structuredClone(raw));
  const problems = [...Value.Errors(ServerConfig, withDefaults)]
    // a union reports each failed branch as well; its own line is enough
    .filter((error, index, all) => all.findIndex((other) => other.path === error.path) === index)
    .slice(0, 20)
    .map((error) => {
      const path = pointerToPath(error.path);
      const key = formatPath(path) || "(top level)";
      return `${located(path)}: ${key} ${describeError(error)}`;
    });
  if (problems.length > 0) {
    throw new ConfigError(`invalid configuration:\n  ${problems.join("\n  ")}`);
  }
  const config = withDefaults as ServerConfig;
  const semanticProblems = checkConfigSemantics(config).map(
    (problem) =>
      `${located(problem.path)}: ${formatPath(problem.path) || "the configuration"} ${problem.message}`,
  );
  if (semanticProblems.length > 0) {
    throw new ConfigError(`invalid configuration:\n  ${semanticProblems.join("\n  ")}`);
  }
  return config;
}

export async function loadConfigFile(path: string): Promise<ServerConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`cannot read configuration file ${path}: ${reason}`);
  }
  return parseConfigText(text, path);
}
