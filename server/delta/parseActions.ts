// The edge where commit JSON and checkpoint rows become typed actions. Values are checked for the
// fields later steps rely on; a malformed log is reported as such instead of serving wrong data.
import type {
  Action,
  AddFile,
  CdcFile,
  CommitInfo,
  DeletionVectorDescriptor,
  PartitionValues,
  RemoveFile,
  SidecarFile,
  TableMetadata,
  TableProtocol,
} from "./actions.ts";

export class CorruptLogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CorruptLogError";
  }
}

type Raw = Record<string, unknown>;

const isObject = (value: unknown): value is Raw =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function num(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

function requiredNumber(raw: Raw, field: string, where: string): number {
  const value = num(raw[field]);
  if (value === undefined) throw new CorruptLogError(`${where}: ${field} is missing or not a number`);
  return value;
}

function requiredString(raw: Raw, field: string, where: string): string {
  const value = raw[field];
  if (typeof value !== "string") throw new CorruptLogError(`${where}: ${field} is missing or not a string`);
  return value;
}

/** Maps come as JSON objects from commits and as objects or key/value lists from Parquet readers. */
export function stringMap(value: unknown): Record<string, string | null> {
  if (value === null || value === undefined) return {};
  if (value instanceof Map)
    return Object.fromEntries([...value].map(([k, v]) => [String(k), v === null ? null : String(v)]));
  if (Array.isArray(value)) {
    const entries = value
      .filter(isObject)
      .map((entry) => [
        String(entry.key),
        entry.value === null || entry.value === undefined ? null : String(entry.value),
      ]);
    return Object.fromEntries(entries);
  }
  if (isObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, v === null || v === undefined ? null : String(v)]),
    );
  }
  return {};
}

function nonNullMap(value: unknown): Record<string, string> {
  const map = stringMap(value);
  return Object.fromEntries(
    Object.entries(map).filter((entry): entry is [string, string] => entry[1] !== null),
  );
}

function deletionVector(value: unknown): DeletionVectorDescriptor | undefined {
  if (!isObject(value)) return undefined;
  const storageType = value.storageType;
  const pathOrInlineDv = value.pathOrInlineDv;
  if (typeof storageType !== "string" || typeof pathOrInlineDv !== "string") return undefined;
  const offset = num(value.offset);
  return {
    storageType,
    pathOrInlineDv,
    ...(offset !== undefined ? { offset } : {}),
    sizeInBytes: num(value.sizeInBytes) ?? 0,
    cardinality: num(value.cardinality) ?? 0,
  };
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function parseAdd(raw: Raw, where: string): AddFile {
  const add: AddFile = {
    path: requiredString(raw, "path", where),
    partitionValues: stringMap(raw.partitionValues) as PartitionValues,
    size: requiredNumber(raw, "size", where),
    modificationTime: num(raw.modificationTime) ?? 0,
    dataChange: raw.dataChange !== false,
  };
  const stats = optionalString(raw.stats);
  if (stats !== undefined) add.stats = stats;
  if (raw.tags !== undefined && raw.tags !== null) add.tags = nonNullMap(raw.tags);
  const dv = deletionVector(raw.deletionVector);
  if (dv) add.deletionVector = dv;
  const baseRowId = num(raw.baseRowId);
  if (baseRowId !== undefined) add.baseRowId = baseRowId;
  const defaultRowCommitVersion = num(raw.defaultRowCommitVersion);
  if (defaultRowCommitVersion !== undefined) add.defaultRowCommitVersion = defaultRowCommitVersion;
  return add;
}

export function parseRemove(raw: Raw, where: string): RemoveFile {
  const remove: RemoveFile = {
    path: requiredString(raw, "path", where),
    dataChange: raw.dataChange !== false,
  };
  const deletionTimestamp = num(raw.deletionTimestamp);
  if (deletionTimestamp !== undefined) remove.deletionTimestamp = deletionTimestamp;
  if (raw.extendedFileMetadata === true) remove.extendedFileMetadata = true;
  if (raw.partitionValues !== undefined && raw.partitionValues !== null) {
    remove.partitionValues = stringMap(raw.partitionValues);
  }
  const size = num(raw.size);
  if (size !== undefined) remove.size = size;
  const dv = deletionVector(raw.deletionVector);
  if (dv) remove.deletionVector = dv;
  return remove;
}

function parseCdc(raw: Raw, where: string): CdcFile {
  return {
    path: requiredString(raw, "path", where),
    partitionValues: stringMap(raw.partitionValues),
    size: requiredNumber(raw, "size", where),
    dataChange: raw.dataChange === true,
  };
}

const emptySchema = JSON.stringify({ type: "struct", fields: [] });

export function parseMetadata(raw: Raw, _where: string): TableMetadata {
  const format = isObject(raw.format) ? raw.format : {};
  const partitionColumns = Array.isArray(raw.partitionColumns) ? raw.partitionColumns.map(String) : [];
  // Databricks Delta Live Tables log a first metaData without a schema (and the real one later),
  // hand-written logs one with no schema at all: Delta's readers take a missing schema as empty
  const metadata: TableMetadata = {
    id: optionalString(raw.id) ?? "",
    format: {
      provider: typeof format.provider === "string" ? format.provider : "parquet",
      ...(format.options ? { options: nonNullMap(format.options) } : {}),
    },
    schemaString: optionalString(raw.schemaString) ?? emptySchema,
    partitionColumns,
    configuration: nonNullMap(raw.configuration),
  };
  const name = optionalString(raw.name);
  if (name !== undefined) metadata.name = name;
  const description = optionalString(raw.description);
  if (description !== undefined) metadata.description = description;
  const createdTime = num(raw.createdTime);
  if (createdTime !== undefined) metadata.createdTime = createdTime;
  return metadata;
}

export function parseProtocol(raw: Raw, where: string): TableProtocol {
  const protocol: TableProtocol = {
    minReaderVersion: requiredNumber(raw, "minReaderVersion", where),
    minWriterVersion: requiredNumber(raw, "minWriterVersion", where),
  };
  if (Array.isArray(raw.readerFeatures)) protocol.readerFeatures = raw.readerFeatures.map(String);
  if (Array.isArray(raw.writerFeatures)) protocol.writerFeatures = raw.writerFeatures.map(String);
  return protocol;
}

export function parseSidecar(raw: Raw, where: string): SidecarFile {
  return { path: requiredString(raw, "path", where), sizeInBytes: num(raw.sizeInBytes) ?? 0 };
}

/** One action from one JSON line of a commit file. */
export function parseActionLine(line: string, where: string): Action {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    throw new CorruptLogError(`${where}: a line is not valid JSON`);
  }
  if (!isObject(raw)) throw new CorruptLogError(`${where}: a line is not a JSON object`);
  if (isObject(raw.add)) return { kind: "add", add: parseAdd(raw.add, where) };
  if (isObject(raw.remove)) return { kind: "remove", remove: parseRemove(raw.remove, where) };
  if (isObject(raw.metaData)) return { kind: "metaData", metaData: parseMetadata(raw.metaData, where) };
  if (isObject(raw.protocol)) return { kind: "protocol", protocol: parseProtocol(raw.protocol, where) };
  if (isObject(raw.cdc)) return { kind: "cdc", cdc: parseCdc(raw.cdc, where) };
  if (isObject(raw.commitInfo)) return { kind: "commitInfo", commitInfo: raw.commitInfo as CommitInfo };
  if (isObject(raw.sidecar)) return { kind: "sidecar", sidecar: parseSidecar(raw.sidecar, where) };
  return { kind: "other" };
}

export function parseCommit(bytes: Uint8Array, where: string): Action[] {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => parseActionLine(line, where));
}
