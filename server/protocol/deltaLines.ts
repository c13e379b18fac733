// Response lines in the protocol's delta format: Delta actions wrapped so a recipient can write them
// into a local Delta log and read it with a Delta library. Paths become presigned URLs; on-disk
// deletion vectors become absolute ('p') ones at their own presigned URL, with a stable id.
import type {
  AddFile,
  CdcFile,
  DeletionVectorDescriptor,
  RemoveFile,
  TableMetadata,
  TableProtocol,
} from "../delta/actions.ts";
import type { TableAccess } from "./accessModes.ts";

export function deltaProtocolLine(protocol: TableProtocol, version?: number) {
  return {
    protocol: {
      ...(version !== undefined ? { version } : {}),
      deltaProtocol: {
        minReaderVersion: protocol.minReaderVersion,
        minWriterVersion: protocol.minWriterVersion,
        ...(protocol.readerFeatures ? { readerFeatures: protocol.readerFeatures } : {}),
        ...(protocol.writerFeatures ? { writerFeatures: protocol.writerFeatures } : {}),
      },
    },
  };
}

export interface DeltaMetadataExtras {
  version?: number;
  size?: number;
  numFiles?: number;
}

export function deltaMetadataLine(
  metadata: TableMetadata,
  access: TableAccess,
  extras: DeltaMetadataExtras = {},
) {
  return {
    metaData: {
      ...(extras.version !== undefined ? { version: extras.version } : {}),
      ...(extras.size !== undefined ? { size: extras.size } : {}),
      ...(extras.numFiles !== undefined ? { numFiles: extras.numFiles } : {}),
      ...access,
      deltaMetadata: {
        id: metadata.id,
        ...(metadata.name !== undefined ? { name: metadata.name } : {}),
        ...(metadata.description !== undefined ? { description: metadata.description } : {}),
        format: { provider: metadata.format.provider, options: metadata.format.options ?? {} },
        schemaString: metadata.schemaString,
        partitionColumns: metadata.partitionColumns,
        configuration: metadata.configuration,
        ...(metadata.createdTime !== undefined ? { createdTime: metadata.createdTime } : {}),
      },
    },
  };
}

export interface SignedFile {
  id: string;
  url: string;
  expiresAt: number;
  /** An on-disk deletion vector: its id and presigned URL. */
  deletionVector?: { id: string; url: string };
  /** Version and commit time, for versioned and change queries. */
  version?: number;
  timestamp?: number;
}

function sharedDeletionVector(dv: DeletionVectorDescriptor, signed: SignedFile): DeletionVectorDescriptor {
  if (!signed.deletionVector) return dv;
  return {
    storageType: "p",
    pathOrInlineDv: signed.deletionVector.url,
    ...(dv.offset !== undefined ? { offset: dv.offset } : {}),
    sizeInBytes: dv.sizeInBytes,
    cardinality: dv.cardinality,
  };
}

function wrap(action: Record<string, unknown>, signed: SignedFile) {
  return {
    file: {
      id: signed.id,
      ...(signed.deletionVector ? { deletionVectorFileId: signed.deletionVector.id } : {}),
      ...(signed.version !== undefined ? { version: signed.version } : {}),
      ...(signed.timestamp !== undefined ? { timestamp: signed.timestamp } : {}),
      expirationTimestamp: signed.expiresAt,
      deltaSingleAction: action,
    },
  };
}

export function deltaAddLine(add: AddFile, signed: SignedFile) {
  const { deletionVector, ...rest } = add;
  return wrap(
    {
      add: {
        ...rest,
        path: signed.url,
        ...(deletionVector ? { deletionVector: sharedDeletionVector(deletionVector, signed) } : {}),
      },
    },
    signed,
  );
}

export function deltaRemoveLine(remove: RemoveFile, signed: SignedFile) {
  const { deletionVector, ...rest } = remove;
  return wrap(
    {
      remove: {
        ...rest,
        path: signed.url,
        ...(deletionVector ? { deletionVector: sharedDeletionVector(deletionVector, signed) } : {}),
      },
    },
    signed,
  );
}

export function deltaCdcLine(cdc: CdcFile, signed: SignedFile) {
  return wrap({ cdc: { ...cdc, path: signed.url } }, signed);
}
