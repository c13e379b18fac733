// Response lines of change queries (change data feed, streaming from a version) in the parquet
// format: data change files (add, cdf, remove) with their version and commit time, and metadata
// lines that name their version.
import type { AddFile, CdcFile, RemoveFile, TableMetadata } from "../delta/actions.ts";
import type { SharedTable } from "../shares/catalog.ts";
import type { TableAccess } from "./accessModes.ts";
import type { SignedFile } from "./deltaLines.ts";
import { metadataFields } from "./parquetLines.ts";

export function parquetMetadataLine(
  table: SharedTable,
  metadata: TableMetadata,
  version: number,
  access: TableAccess,
) {
  return {
    metaData: { ...metadataFields(table, metadata, access), version },
  };
}

function common(signed: SignedFile) {
  return { url: signed.url, id: signed.id };
}

function stamp(signed: SignedFile) {
  return { version: signed.version, timestamp: signed.timestamp, expirationTimestamp: signed.expiresAt };
}

export function parquetAddLine(add: AddFile, signed: SignedFile) {
  return {
    add: {
      ...common(signed),
      partitionValues: add.partitionValues,
      size: add.size,
      ...(add.stats !== undefined ? { stats: add.stats } : {}),
      ...stamp(signed),
    },
  };
}

export function parquetRemoveLine(remove: RemoveFile, signed: SignedFile) {
  return {
    remove: {
      ...common(signed),
      partitionValues: remove.partitionValues ?? {},
      size: remove.size ?? 0,
      ...stamp(signed),
    },
  };
}

export function parquetCdcLine(cdc: CdcFile, signed: SignedFile) {
  return {
    cdf: { ...common(signed), partitionValues: cdc.partitionValues, size: cdc.size, ...stamp(signed) },
  };
}
