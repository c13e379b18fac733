// The `delta-sharing-capabilities` header: `key=value1,value2;key2=…`, case-insensitive.

export type ResponseFormat = "parquet" | "delta";

export interface Capabilities {
  /** Formats the client accepts, in its order; parquet alone when it says nothing. */
  responseFormats: ResponseFormat[];
  readerFeatures: Set<string>;
  includeEndStreamAction: boolean;
  /** The client can submit a query and poll for its answer (Get Query Info). */
  asyncQuery: boolean;
  /** Whether the header was sent at all (the answer then names the format chosen). */
  sent: boolean;
}

export function parseCapabilities(header: string | string[] | undefined): Capabilities {
  const text = Array.isArray(header) ? header.join(";") : (header ?? "");
  const values = new Map<string, string[]>();
  for (const part of text.split(";")) {
    const [rawKey, rawValue = ""] = part.split("=", 2);
    const key = rawKey?.trim().toLowerCase();
    if (!key) continue;
    values.set(
      key,
      rawValue
        .split(",")
        .map((value) => value.trim().toLowerCase())
        .filter((value) => value !== ""),
    );
  }
  const formats = (values.get("responseformat") ?? []).filter(
    (format): format is ResponseFormat => format === "parquet" || format === "delta",
  );
  return {
    responseFormats: formats.length > 0 ? formats : ["parquet"],
    readerFeatures: new Set(values.get("readerfeatures") ?? []),
    includeEndStreamAction: values.get("includeendstreamaction")?.[0] === "true",
    asyncQuery: values.get("asyncquery")?.[0] === "true",
    sent: header !== undefined,
  };
}
