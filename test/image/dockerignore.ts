// The build context as an image builder sees it: every file under the context directory that
// .dockerignore does not exclude. Semantics of the builder's matcher: patterns are cleaned paths
// relative to the context; `*` and `?` stay within one path segment, `**` spans any number of
// segments; a pattern excludes a path when it matches the path or one of its parent folders; the
// last matching pattern wins, and `!` re-includes. Character classes and escapes are refused
// rather than guessed at.
import { readdir, readFile } from "node:fs/promises";
import { join, posix } from "node:path";

interface Rule {
  pattern: string;
  exclude: boolean;
  regex: RegExp;
}

function toRegex(pattern: string): RegExp {
  if (/[[\]\\]/.test(pattern))
    throw new Error(`.dockerignore: "${pattern}": classes and escapes are not supported here`);
  let source = "";
  for (let at = 0; at < pattern.length; at += 1) {
    const char = pattern[at] as string;
    if (char === "*" && pattern[at + 1] === "*") {
      // `**/` matches zero or more whole segments; a trailing `**` matches everything below
      if (pattern[at + 2] === "/") {
        source += "(?:.*/)?";
        at += 2;
      } else {
        source += ".*";
        at += 1;
      }
    } else if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else source += char.replace(/[.+^${}()|]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

export function parseDockerignore(text: string): Rule[] {
  const rules: Rule[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const exclude = !line.startsWith("!");
    const cleaned = posix.normalize((exclude ? line : line.slice(1)).trim()).replace(/^\/+|\/+$/g, "");
    rules.push({ pattern: cleaned, exclude, regex: toRegex(cleaned) });
  }
  return rules;
}

/** True when the rules leave the file (a context-relative path with `/`) out of the context. */
export function isExcluded(rules: Rule[], path: string): boolean {
  const segments = path.split("/");
  const candidates = segments.map((_, index) => segments.slice(0, index + 1).join("/"));
  let excluded = false;
  for (const rule of rules) {
    if (candidates.some((candidate) => rule.regex.test(candidate))) excluded = rule.exclude;
  }
  return excluded;
}

async function allFiles(root: string, prefix = ""): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(join(root, prefix), { withFileTypes: true })) {
    const path = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) files.push(...(await allFiles(root, path)));
    else files.push(path);
  }
  return files;
}

/** The files of the build context, relative to it, sorted. */
export async function contextFiles(contextDir: string): Promise<string[]> {
  let rules: Rule[] = [];
  try {
    rules = parseDockerignore(await readFile(join(contextDir, ".dockerignore"), "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  // Walking into node_modules or .git only to drop every file is slow; the builder skips an excluded
  // folder the same way when no `!` rule could re-include something beneath it.
  const walkRoots = (await readdir(contextDir, { withFileTypes: true })).filter(
    (entry) => !(entry.isDirectory() && isExcluded(rules, entry.name) && !reincludesBelow(rules, entry.name)),
  );
  const files: string[] = [];
  for (const entry of walkRoots) {
    if (entry.isDirectory()) files.push(...(await allFiles(contextDir, entry.name)));
    else files.push(entry.name);
  }
  return files.filter((path) => !isExcluded(rules, path)).sort();
}

function reincludesBelow(rules: Rule[], folder: string): boolean {
  return rules.some((rule) => {
    if (rule.exclude) return false;
    const [first = "", ...rest] = rule.pattern.split("/");
    return first.includes("**") || (rest.length > 0 && toRegex(first).test(folder));
  });
}
