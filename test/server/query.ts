// Reading a /query answer in tests: the NDJSON lines and the file actions among them.
import type { TestServer } from "./harness.ts";

export interface FileAction {
  url: string;
  id: string;
  partitionValues: Record<string, string | null>;
  size: number;
  stats?: string;
  expirationTimestamp: number;
}

export interface QueryAnswer {
  status: number;
  headers: Headers;
  lines: Record<string, unknown>[];
  files: FileAction[];
}

/** The file URLs of a /query answer's NDJSON text. */
export function fileUrlsOf(text: string): string[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .flatMap((line) => {
      const url = (JSON.parse(line) as { file?: { url?: unknown } }).file?.url;
      return typeof url === "string" ? [url] : [];
    });
}

export async function queryFiles(
  server: TestServer,
  table: string,
  body: unknown = {},
): Promise<QueryAnswer> {
  const [share, schema, name] = table.split("/");
  const response = await server.api(`/shares/${share}/schemas/${schema}/tables/${name}/query`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`query answered ${response.status}: ${text}`);
  const lines = text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const files = lines.flatMap((line) => (line.file ? [line.file as FileAction] : []));
  return { status: response.status, headers: response.headers, lines, files };
}
