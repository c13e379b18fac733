// Starting a streamed answer. Its first lines are computed before the status is sent, so a failure
// there (a missing version, a vacuumed file) is still answered as a JSON error. A failure after the
// status went out ends the answer with an endStreamAction carrying errorMessage when the client
// reads those, and otherwise breaks the connection: a client must never take a cut answer as whole.
import type { FastifyBaseLogger } from "fastify";
import { toSharingError } from "./errorHandler.ts";

export interface EndStreamAction {
  refreshToken?: string;
  nextPageToken?: string;
  minUrlExpirationTimestamp?: number;
  errorMessage?: string;
}

export const endStreamLine = (action: EndStreamAction) => ({ endStreamAction: action });

/** Lines (or pre-encoded text) computed ahead at most; bounded so a huge answer is not held before it starts. */
const aheadLimit = 1000;
const aheadChars = 256 * 1024;

export async function startLines(
  lines: AsyncIterable<unknown>,
  options: { endStreamAction: boolean; log: FastifyBaseLogger },
): Promise<AsyncIterable<unknown>> {
  const iterator = lines[Symbol.asyncIterator]();
  const ahead: unknown[] = [];
  let done = false;
  let chars = 0;
  while (ahead.length < aheadLimit && chars < aheadChars) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    ahead.push(next.value);
    if (typeof next.value === "string") chars += next.value.length;
  }
  async function* rest() {
    yield* ahead;
    ahead.length = 0;
    if (done) return;
    try {
      while (true) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    } catch (error) {
      options.log.warn({ err: error }, "an answer failed after it started");
      if (!options.endStreamAction) throw error;
      const message = toSharingError(error)?.message ?? "the server failed while answering";
      yield endStreamLine({ errorMessage: message });
    }
  }
  return rest();
}
