// The rendered configuration checked exactly as the server checks its file (its schema with
// defaults, then its cross-field rules), so the operator never writes a file the server would
// refuse. Each problem names the share or recipient it lies in, so only that one is left out.
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { Value } from "@sinclair/typebox/value";
import { formatPath, pointerToPath } from "../../server/config/load.ts";
import { ServerConfig } from "../../server/config/schema.ts";
import { checkConfigSemantics } from "../../server/config/semantics.ts";
import type { ServerConfigFile } from "./serverConfig.ts";

export interface ConfigProblem {
  /** The share or recipient the problem lies in, by its index in the file; undefined for the file as a whole. */
  entry?: { list: "shares" | "recipients"; index: number };
  message: string;
}

function located(path: (string | number)[], message: string): ConfigProblem {
  const [list, index] = path;
  const text = `${formatPath(path) || "the configuration"} ${message}`;
  if ((list === "shares" || list === "recipients") && typeof index === "number") {
    return { entry: { list, index }, message: text };
  }
  return { message: text };
}

// Compiled once, and defaults filled in at the top level only (the operator always writes the
// nested lists and flags that have defaults): checking a configuration of a thousand recipients
// on every render must be cheap.
let compiled: ReturnType<typeof TypeCompiler.Compile<typeof ServerConfig>> | undefined;
let topLevelDefaults: Record<string, unknown> | undefined;

export function configProblems(config: ServerConfigFile): ConfigProblem[] {
  compiled ??= TypeCompiler.Compile(ServerConfig);
  topLevelDefaults ??= Value.Default(ServerConfig, { version: 1, shares: [] }) as Record<string, unknown>;
  const withDefaults = { ...topLevelDefaults, ...config };
  if (!compiled.Check(withDefaults)) {
    return [...compiled.Errors(withDefaults)].map((error) =>
      located(pointerToPath(error.path), error.message.toLowerCase()),
    );
  }
  return checkConfigSemantics(withDefaults as ServerConfig).map((problem) =>
    located(problem.path, problem.message),
  );
}
