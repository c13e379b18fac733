// Sending a fuzzed request and judging its answer, as every fuzz test does: fetch it (unless fetch
// itself refuses to write it), and check an error is in the protocol's form, JSON with a string
// errorCode and message (HEAD answers and 416s have no body).
import assert from "node:assert/strict";

export interface Answer {
  status: number;
  body: string;
  type: string;
}

/** The answer, or "unsendable" when the client refused to send the request at all. */
export async function fetchAnswer(url: string, init: RequestInit): Promise<Answer | "unsendable"> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    // a header or URL fetch will not write: not the server's doing
    if (error instanceof TypeError && !/fetch failed/.test(error.message)) return "unsendable";
    throw new Error(`no answer to ${init.method} ${url}: ${String(error)}`, { cause: error });
  }
  return {
    status: response.status,
    body: await response.text(),
    type: response.headers.get("content-type") ?? "",
  };
}

export function assertErrorForm(answer: Answer, method: string, where: string): void {
  if (answer.status < 400 || method === "HEAD" || answer.status === 416) return;
  assert.match(answer.type, /^application\/json/, where);
  const body = JSON.parse(answer.body) as { errorCode?: unknown; message?: unknown };
  assert.equal(typeof body.errorCode, "string", where);
  assert.equal(typeof body.message, "string", where);
}
