// Reading a protocol answer in tests: its NDJSON lines when it succeeded, its JSON error otherwise.

export interface JsonAnswer {
  status: number;
  headers: Headers;
  lines: Record<string, unknown>[];
  error?: { errorCode: string; message: string };
}

export async function readAnswer(response: Response): Promise<JsonAnswer> {
  const text = await response.text();
  if (response.status !== 200) {
    return { status: response.status, headers: response.headers, lines: [], error: JSON.parse(text) };
  }
  const lines = text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { status: response.status, headers: response.headers, lines };
}
