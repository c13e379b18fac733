// Choosing the response format (Delta Sharing Capabilities Header): parquet when the client takes
// it and the table needs nothing that format cannot carry (and, when the client takes both, only
// for reader version 1, as the reference server decides); delta when the client takes it and has
// declared every reader feature the table needs; otherwise the protocol's refusal.
import type { TableMetadata, TableProtocol } from "../delta/actions.ts";
import type { Capabilities, ResponseFormat } from "./capabilities.ts";
import { SharingError } from "./errors.ts";

/** Reader features a recipient's Delta library need not declare: they shape the log, not the data. */
const undeclaredReaderFeatures = new Set(["v2checkpoint", "vacuumprotocolcheck"]);

/** The reader features of the table that a delta-format reader must support. */
export function readerFeaturesNeeded(protocol: TableProtocol, metadata: TableMetadata): string[] {
  if (protocol.minReaderVersion >= 3) {
    return (protocol.readerFeatures ?? []).filter(
      (name) => !undeclaredReaderFeatures.has(name.toLowerCase()),
    );
  }
  const mapping = metadata.configuration["delta.columnMapping.mode"] ?? "none";
  return protocol.minReaderVersion === 2 && mapping !== "none" ? ["columnMapping"] : [];
}

/** The newest reader version Delta's readers (and so this server) know. */
const newestReaderVersion = 3;

export function chooseResponseFormat(
  capabilities: Capabilities,
  table: { protocol: TableProtocol; metadata: TableMetadata },
  parquetBlockers: string[],
): ResponseFormat {
  const { minReaderVersion } = table.protocol;
  if (minReaderVersion > newestReaderVersion) {
    throw new SharingError(
      "unsupportedOperation",
      `the table needs Delta reader version ${minReaderVersion}; readers support up to ${newestReaderVersion}`,
    );
  }
  const accepts = capabilities.responseFormats;
  // a client that takes both gets what the reference server gives it: parquet for reader version
  // 1 only, delta for anything newer (its Delta library then reads what plain Parquet cannot say)
  const parquetFits = accepts.includes("parquet") && parquetBlockers.length === 0;
  if (parquetFits && (minReaderVersion === 1 || !accepts.includes("delta"))) return "parquet";
  if (accepts.includes("delta")) {
    const missing = readerFeaturesNeeded(table.protocol, table.metadata).filter(
      (feature) => !capabilities.readerFeatures.has(feature.toLowerCase()),
    );
    if (missing.length > 0) {
      throw new SharingError(
        "unsupportedOperation",
        `the table needs reader features the client did not declare in readerfeatures: ${missing.join(", ")}`,
      );
    }
    return "delta";
  }
  throw new SharingError(
    "unsupportedOperation",
    `the table uses reader features the parquet response format cannot carry (${parquetBlockers.join(", ")}); ` +
      "it needs a client that accepts responseformat=delta",
  );
}

/** The delta-sharing-capabilities header of an answer. */
export function capabilitiesHeader(format: ResponseFormat, endStreamAction: boolean): string {
  return endStreamAction
    ? `responseformat=${format};includeendstreamaction=true`
    : `responseformat=${format}`;
}
