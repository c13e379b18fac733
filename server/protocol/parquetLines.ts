// Response lines in the protocol's parquet format: a protocol line, a metadata line, file lines.
import type { AddFile, TableMetadata } from "../delta/actions.ts";
import type { Snapshot } from "../delta/snapshot.ts";
import type { SharedTable } from "../shares/catalog.ts";
import type { TableAccess } from "./accessModes.ts";

export function protocolLine() {
  return { protocol: { minReaderVersion: 1 } };
}

function sizeOf(snapshot: Snapshot): { size: number; numFiles: number } {
  return { size: snapshot.files.totalSize, numFiles: snapshot.files.size };
}

export interface MetadataLineOptions {
  /** Set when the request asked for a version or timestamp: the line then names the version. */
  withVersion: boolean;
  /** Access modes (and location) for the asking recipient. */
  access: TableAccess;
  /** Set when the recipient sees a partition filter's slice: the whole table's size is left out. */
  sliced?: boolean;
}

/** The fields of a parquet-format metadata line that come from the table's Delta metadata. */
export function metadataFields(table: SharedTable, metadata: TableMetadata, access: TableAccess) {
  return {
    id: table.id,
    ...(metadata.name !== undefined ? { name: metadata.name } : {}),
    ...(metadata.description !== undefined ? { description: metadata.description } : {}),
    format: { provider: metadata.format.provider },
    schemaString: metadata.schemaString,
    partitionColumns: metadata.partitionColumns,
    ...(Object.keys(metadata.configuration).length > 0 ? { configuration: metadata.configuration } : {}),
    ...access,
  };
}

export function metadataLine(snapshot: Snapshot, table: SharedTable, options: MetadataLineOptions) {
  return {
    metaData: {
      ...metadataFields(table, snapshot.metadata, options.access),
      ...(options.withVersion ? { version: snapshot.version } : {}),
      ...(options.sliced ? {} : sizeOf(snapshot)),
    },
  };
}

export interface FileLineOptions {
  id: string;
  url: string;
  expiresAt: number;
  /** Version and commit time, when the request asked for a version or timestamp. */
  version?: { version: number; timestamp?: number };
}

export function fileLine(file: AddFile, options: FileLineOptions) {
  return {
    file: {
      url: options.url,
      id: options.id,
      partitionValues: file.partitionValues,
      size: file.size,
      ...(file.stats !== undefined ? { stats: file.stats } : {}),
      ...(options.version ? { version: options.version.version } : {}),
      ...(options.version?.timestamp !== undefined ? { timestamp: options.version.timestamp } : {}),
      expirationTimestamp: options.expiresAt,
    },
  };
}

/** What a pre-encoded file line needs of a file: its fields as JSON text where they are fixed. */
export interface EncodableFile {
  path: string;
  size: number;
  statsJson: string | undefined;
  partitionJson: string;
}

/** The parquet-format file line as NDJSON text, byte for byte `JSON.stringify(fileLine(...))`. */
export function fileLineText(
  file: EncodableFile,
  signed: { id: string; url: string; expiresAt: number },
  version?: { version: number; timestamp?: number },
): string {
  const stats = file.statsJson === undefined ? "" : `,"stats":${file.statsJson}`;
  const stamp =
    version === undefined
      ? ""
      : `,"version":${version.version}${version.timestamp === undefined ? "" : `,"timestamp":${version.timestamp}`}`;
  return `{"file":{"url":${JSON.stringify(signed.url)},"id":"${signed.id}","partitionValues":${file.partitionJson},"size":${file.size}${stats}${stamp},"expirationTimestamp":${signed.expiresAt}}}\n`;
}
