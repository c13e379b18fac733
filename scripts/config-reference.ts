// The configuration reference in the README, generated from the schemas themselves (the server's
// config schema and the CRDs' OpenAPI schemas), so it is never written twice:
//   node scripts/config-reference.ts          prints it
//   node scripts/config-reference.ts --write  replaces the README's generated section
// A test checks the README's section equals this output.
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { allCustomResourceDefinitions } from "../operator/api/crds.ts";
import { ServerConfig } from "../server/config/schema.ts";

export const readmePath = join(dirname(fileURLToPath(import.meta.url)), "..", "README.md");
export const beginMarker =
  "<!-- BEGIN GENERATED: config-reference (node scripts/config-reference.ts --write) -->";
export const endMarker = "<!-- END GENERATED: config-reference -->";

type Schema = Record<string, unknown> & {
  type?: string;
  description?: string;
  default?: unknown;
  properties?: Record<string, Schema>;
  items?: Schema;
  required?: string[];
  anyOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  additionalProperties?: Schema | boolean;
  patternProperties?: Record<string, Schema>;
  "x-kubernetes-validations"?: { rule: string; message: string }[];
};

interface Row {
  path: string;
  type: string;
  default: string;
  description: string;
}

const code = (value: unknown) => `\`${typeof value === "string" ? value : JSON.stringify(value)}\``;
// a table cell: no line breaks, pipes escaped (also inside code spans, as GitHub's tables need)
const cell = (text: string) => text.replace(/\s*\n\s*/g, " ").replaceAll("|", "\\|");

function mapValues(schema: Schema): Schema | undefined {
  if (typeof schema.additionalProperties === "object") return schema.additionalProperties;
  const patterns = Object.values(schema.patternProperties ?? {});
  return patterns[0];
}

function range(schema: Schema, unit = ""): string | undefined {
  const min = schema.minimum ?? schema.minLength ?? schema.minItems;
  const max = schema.maximum ?? schema.maxLength ?? schema.maxItems;
  if (min === undefined && max === undefined) return undefined;
  if (max === undefined) return `≥ ${min}${unit}`;
  if (min === undefined) return `≤ ${max}${unit}`;
  return `${min}–${max}${unit}`;
}

function typeOf(schema: Schema): string {
  const literals = schema.anyOf?.every((each) => each.const !== undefined);
  if (literals) return `one of ${schema.anyOf?.map((each) => code(each.const)).join(", ")}`;
  if (schema.const !== undefined) return code(schema.const);
  if (schema.enum !== undefined) return `one of ${schema.enum.map(code).join(", ")}`;
  if (schema["x-kubernetes-int-or-string"] === true) return "integer or string";
  const parts: string[] = [];
  switch (schema.type) {
    case "string": {
      parts.push(schema.format === "date-time" ? "RFC 3339 time" : "string");
      const length = range(schema, " chars");
      if (length) parts.push(length);
      if (typeof schema.pattern === "string") parts.push(`matching ${code(schema.pattern)}`);
      break;
    }
    case "integer":
    case "number": {
      parts.push(schema.type);
      const bounds = range(schema);
      if (bounds) parts.push(bounds);
      break;
    }
    case "array": {
      const items = schema.items ?? {};
      parts.push(
        items.type === "object" && !mapValues(items) ? "list of objects" : `list of ${typeOf(items)}`,
      );
      const count = range(schema, " items");
      if (count) parts.push(count);
      break;
    }
    case "object": {
      const values = mapValues(schema);
      if (values !== undefined) parts.push(`map of string to ${typeOf(values)}`);
      else if (schema["x-kubernetes-preserve-unknown-fields"] === true) parts.push("object (any fields)");
      else parts.push("object");
      break;
    }
    default:
      parts.push(String(schema.type ?? "any"));
  }
  return parts.join(", ");
}

const sentence = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1).replace(/\.?$/, ".")}`;

function rulesOf(schema: Schema): string[] {
  return (schema["x-kubernetes-validations"] ?? []).map((rule) => sentence(rule.message));
}

// metav1.Condition, the same in every kind: one row, not six
function isConditions(schema: Schema): boolean {
  const fields = Object.keys(schema.items?.properties ?? {});
  return (
    schema.type === "array" &&
    ["type", "status", "reason", "lastTransitionTime"].every((name) => fields.includes(name))
  );
}

function rowsOf(schema: Schema, path: string, required: boolean, rows: Row[]): void {
  const description = [schema.description, ...rulesOf(schema)].filter(Boolean).join(" ");
  let fallback = required ? "required" : "";
  if (schema.default !== undefined) fallback = code(schema.default);
  if (isConditions(schema)) {
    const about =
      "Kubernetes conditions (type, status, reason, message, lastTransitionTime, observedGeneration).";
    rows.push({
      path,
      type: "list of conditions",
      default: "",
      description: `${about} ${description}`.trim(),
    });
    return;
  }
  if (path !== "") rows.push({ path, type: typeOf(schema), default: fallback, description });
  const children = schema.type === "array" ? schema.items : schema;
  const childPath = schema.type === "array" ? `${path}[]` : path;
  if (children?.type !== "object" || children.properties === undefined) return;
  for (const [name, child] of Object.entries(children.properties)) {
    rowsOf(
      child,
      childPath === "" ? name : `${childPath}.${name}`,
      children.required?.includes(name) ?? false,
      rows,
    );
  }
}

function table(schema: Schema, prefix: string, required: boolean): string {
  const rows: Row[] = [];
  rowsOf(schema, prefix, required, rows);
  const cells = [
    ["Field", "Type", "Default", "Description"],
    ...rows.map((row) => [code(row.path), cell(row.type), cell(row.default), cell(row.description)]),
  ];
  // columns padded to their widest cell, as the repository's formatter (Biome) lays out tables
  const widths = [0, 1, 2, 3].map((column) =>
    Math.max(3, ...cells.map((line) => [...(line[column] ?? "")].length)),
  );
  const pad = (text: string, column: number) => text + " ".repeat((widths[column] ?? 0) - [...text].length);
  const render = (line: string[]) => `| ${line.map(pad).join(" | ")} |`;
  const [header = [], ...body] = cells;
  return [
    render(header),
    `| ${widths.map((width) => "-".repeat(width)).join(" | ")} |`,
    ...body.map(render),
  ].join("\n");
}

export function configReference(): string {
  const sections = [
    "### Server configuration file",
    "",
    "What `node server/main.ts --config <file>` reads (YAML or JSON). Keys not listed here are refused at",
    "start with their line and column. The operator writes this file for the servers it runs.",
    "",
    table(ServerConfig as unknown as Schema, "", true),
  ];
  for (const crd of allCustomResourceDefinitions()) {
    const spec = crd.spec as {
      group: string;
      names: { kind: string; shortNames?: string[] };
      versions: { name: string; schema: { openAPIV3Schema: Schema } }[];
    };
    for (const version of spec.versions) {
      const root = version.schema.openAPIV3Schema;
      const about = [
        sentence(root.description ?? spec.names.kind),
        ...(spec.names.shortNames?.length
          ? [`Short name ${spec.names.shortNames.map(code).join(", ")}.`]
          : []),
        ...rulesOf(root),
      ];
      sections.push(
        "",
        `### ${spec.names.kind} (\`${spec.group}/${version.name}\`)`,
        "",
        about.join(" "),
        "",
        table(root.properties?.spec ?? {}, "spec", true),
        "",
        "Status, written by the operator:",
        "",
        table(root.properties?.status ?? {}, "status", false),
      );
    }
  }
  return `${sections.join("\n")}\n`;
}

export function replaceSection(readme: string, generated: string): string {
  const begin = readme.indexOf(beginMarker);
  const end = readme.indexOf(endMarker);
  if (begin < 0 || end < begin) throw new Error("README.md has no config-reference markers");
  return `${readme.slice(0, begin + beginMarker.length)}\n\n${generated}\n${readme.slice(end)}`;
}

export function sectionOf(readme: string): string {
  const begin = readme.indexOf(beginMarker);
  const end = readme.indexOf(endMarker);
  if (begin < 0 || end < begin) throw new Error("README.md has no config-reference markers");
  return readme
    .slice(begin + beginMarker.length, end)
    .replace(/^\n\n/, "")
    .replace(/\n$/, "");
}

if (import.meta.main) {
  const generated = configReference();
  if (process.argv.includes("--write")) {
    await writeFile(readmePath, replaceSection(await readFile(readmePath, "utf8"), generated));
    process.stdout.write("README.md: configuration reference regenerated\n");
  } else {
    process.stdout.write(generated);
  }
}
