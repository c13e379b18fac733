// Delta log actions as typed data. Parsing happens at the edge (commit JSON lines and checkpoint
// rows); everything after works on these types. Field names follow delta-io/delta PROTOCOL.md.

export type PartitionValues = Record<string, string | null>;

export interface DeletionVectorDescriptor {
  storageType: string;
  pathOrInlineDv: string;
  offset?: number;
  sizeInBytes: number;
  cardinality: number;
}

export interface AddFile {
  path: string;
  partitionValues: PartitionValues;
  size: number;
  modificationTime: number;
  dataChange: boolean;
  stats?: string;
  tags?: Record<string, string>;
  deletionVector?: DeletionVectorDescriptor;
  baseRowId?: number;
  defaultRowCommitVersion?: number;
}

export interface RemoveFile {
  path: string;
  deletionTimestamp?: number;
  dataChange: boolean;
  extendedFileMetadata?: boolean;
  partitionValues?: PartitionValues;
  size?: number;
  deletionVector?: DeletionVectorDescriptor;
}

export interface CdcFile {
  path: string;
  partitionValues: PartitionValues;
  size: number;
  dataChange: boolean;
}

export interface TableMetadata {
  id: string;
  name?: string;
  description?: string;
  format: { provider: string; options?: Record<string, string> };
  schemaString: string;
  partitionColumns: string[];
  configuration: Record<string, string>;
  createdTime?: number;
}

export interface TableProtocol {
  minReaderVersion: number;
  minWriterVersion: number;
  readerFeatures?: string[];
  writerFeatures?: string[];
}

/** A v2 checkpoint's pointer to a sidecar file holding some of its add and remove actions. */
export interface SidecarFile {
  path: string;
  sizeInBytes: number;
}

export interface CommitInfo {
  timestamp?: number;
  inCommitTimestamp?: number;
  operation?: string;
  [key: string]: unknown;
}

export type Action =
  | { kind: "add"; add: AddFile }
  | { kind: "remove"; remove: RemoveFile }
  | { kind: "cdc"; cdc: CdcFile }
  | { kind: "metaData"; metaData: TableMetadata }
  | { kind: "protocol"; protocol: TableProtocol }
  | { kind: "commitInfo"; commitInfo: CommitInfo }
  | { kind: "sidecar"; sidecar: SidecarFile }
  | { kind: "other" };
