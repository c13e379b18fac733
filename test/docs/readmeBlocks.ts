// Fenced code blocks of a marked part of the README: what a reader would copy, as written.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { repoRoot } from "../ground/paths.ts";

export interface CodeBlock {
  /** The info string after the fence, e.g. `sh server`. */
  info: string;
  /** The block as written. */
  text: string;
  /** Its commands: the lines that are neither blank nor a comment. */
  lines: string[];
}

export async function readme(): Promise<string> {
  return readFile(join(repoRoot, "README.md"), "utf8");
}

/** The text between `<!-- NAME:begin … -->` and `<!-- NAME:end -->`. */
export function markedPart(text: string, name: string): string {
  const begin = new RegExp(`<!-- ${name}:begin[^>]*-->`).exec(text);
  const end = text.indexOf(`<!-- ${name}:end -->`);
  if (begin === null || end < begin.index) throw new Error(`README.md has no ${name} markers`);
  return text.slice(begin.index + begin[0].length, end);
}

export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const fence = /^```([^\n`]*)\n([\s\S]*?)^```\s*$/gm;
  for (let match = fence.exec(markdown); match !== null; match = fence.exec(markdown)) {
    const lines = (match[2] as string)
      .split("\n")
      .filter((line) => line.trim() !== "" && !line.trim().startsWith("#"));
    blocks.push({ info: (match[1] as string).trim(), text: match[2] as string, lines });
  }
  return blocks;
}
