// Asking one server pod what it serves: GET /status on its ops port, checked against the status
// document's one definition (server/ops/statusDocument.ts). Unknown keys are ignored, as the
// contract asks; a document that does not match is reported as an error, never guessed at.
import { TypeCompiler } from "@sinclair/typebox/compiler";
import {
  type StatusDocument,
  StatusDocument as StatusDocumentSchema,
} from "../../server/ops/statusDocument.ts";

export type { StatusDocument, TableHealth, TableState } from "../../server/ops/statusDocument.ts";

const statusTimeoutMs = 3000;
const checker = TypeCompiler.Compile(StatusDocumentSchema);

/** The status document, or an error naming what is wrong with it. */
export function readStatusDocument(document: unknown): StatusDocument | { error: string } {
  if (checker.Check(document)) return document;
  const first = checker.Errors(document).First();
  return {
    error: `the status document does not match: ${first?.path || "/"} ${first?.message ?? ""}`.trim(),
  };
}

/** GET {baseUrl}/status, bounded in time; never throws. */
export async function fetchStatusDocument(baseUrl: string): Promise<StatusDocument | { error: string }> {
  try {
    const response = await fetch(`${baseUrl}/status`, { signal: AbortSignal.timeout(statusTimeoutMs) });
    if (!response.ok) {
      await response.body?.cancel();
      return { error: `GET /status answered ${response.status}` };
    }
    return readStatusDocument(await response.json());
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
