// The lines of a change query: a change data feed (GET .../changes) or a streaming query from a
// version (POST .../query with startingVersion). Commits are read one at a time; a page ends after
// `size` files and its token names the version and item to resume at. Files no longer in the
// newest snapshot are checked to exist first: VACUUM may have removed them, and a recipient must
// get an error rather than a feed with holes.
import type { TableMetadata } from "../delta/actions.ts";
import { type ChangeItem, readChanges } from "../delta/changes.ts";
import type { InCommitTimestamps } from "../delta/history.ts";
import { fileKey, type Snapshot } from "../delta/snapshot.ts";
import { VersionNotFoundError } from "../delta/snapshotLoader.ts";
import type { TableState } from "../delta/stateAtVersion.ts";
import type { SliceTest } from "../selection/partitionFilterMatch.ts";
import type { SharedTable } from "../shares/catalog.ts";
import { PathRefusedError } from "../storage/loggedPath.ts";
import type { TableStorage } from "../storage/storage.ts";
import type { TableFiles } from "../storage/tableFiles.ts";
import type { TableAccess } from "./accessModes.ts";
import type { ResponseFormat } from "./capabilities.ts";
import {
  deltaAddLine,
  deltaCdcLine,
  deltaMetadataLine,
  deltaProtocolLine,
  deltaRemoveLine,
  type SignedFile,
} from "./deltaLines.ts";
import { type FileSigner, refusedPath } from "./fileSigning.ts";
import {
  parquetAddLine,
  parquetCdcLine,
  parquetMetadataLine,
  parquetRemoveLine,
} from "./parquetChangeLines.ts";
import { protocolLine } from "./parquetLines.ts";
import type { ChangesPage } from "./queryPageToken.ts";
import { endStreamLine } from "./streamStart.ts";

export interface ChangesQuery {
  mode: "cdf" | "stream";
  table: SharedTable;
  /** Access modes (and location) for the asking recipient, named in metadata lines. */
  access: TableAccess;
  storage: TableStorage;
  files: TableFiles;
  latest: Snapshot;
  /** Protocol and metadata of the head lines (of the first version, or of the newest). */
  head: TableState;
  from: number;
  to: number;
  format: ResponseFormat;
  includeMetadata: boolean;
  /** Historical protocol lines (delta format only); the head protocol then names its version. */
  includeProtocol: boolean;
  ict: InCommitTimestamps | undefined;
  signer: FileSigner;
  /** The recipient's partition filter as it applies under a version's metadata (throws if it cannot). */
  sliceAt?: (metadata: TableMetadata) => SliceTest | undefined;
  paging?: { size: number; from?: ChangesPage; nextToken: (page: ChangesPage) => string };
  endStreamAction: boolean;
}

const existenceChecks = 16;

type FileItem = Exclude<ChangeItem, { kind: "metaData" } | { kind: "protocol" }>;

function isFile(item: ChangeItem): item is FileItem {
  return item.kind === "add" || item.kind === "remove" || item.kind === "cdc";
}

function partitionValuesOf(item: FileItem) {
  return item.kind === "add"
    ? item.add.partitionValues
    : item.kind === "remove"
      ? item.remove.partitionValues
      : item.cdc.partitionValues;
}

function pathOf(item: FileItem): string {
  return item.kind === "add" ? item.add.path : item.kind === "remove" ? item.remove.path : item.cdc.path;
}

/** Fails when a file of the version, not in the newest snapshot, is gone from storage. */
async function checkStillThere(query: ChangesQuery, version: number, items: FileItem[]): Promise<void> {
  const toCheck = items.filter((item) => {
    if (item.kind === "cdc") return true;
    const file = item.kind === "add" ? item.add : item.remove;
    return !query.latest.files.has(fileKey(file));
  });
  for (let start = 0; start < toCheck.length; start += existenceChecks) {
    const batch = toCheck.slice(start, start + existenceChecks);
    const found = await Promise.all(
      batch.map((item) =>
        query.files.exists(pathOf(item)).catch((error: unknown) => {
          throw error instanceof PathRefusedError ? refusedPath(query.table, error) : error;
        }),
      ),
    );
    const missing = found.indexOf(false);
    if (missing >= 0) {
      throw new VersionNotFoundError(
        `the data of version ${version} is no longer available (a file it names was removed, ` +
          `e.g. by VACUUM): ${pathOf(batch[missing] as FileItem)}`,
      );
    }
  }
}

function fileLineOf(query: ChangesQuery, item: FileItem, signed: SignedFile) {
  if (query.format === "delta") {
    if (item.kind === "add") return deltaAddLine(item.add, signed);
    if (item.kind === "remove") return deltaRemoveLine(item.remove, signed);
    return deltaCdcLine(item.cdc, signed);
  }
  if (item.kind === "add") return parquetAddLine(item.add, signed);
  if (item.kind === "remove") return parquetRemoveLine(item.remove, signed);
  return parquetCdcLine(item.cdc, signed);
}

export async function* changesQueryLines(query: ChangesQuery): AsyncGenerator<unknown> {
  const { head, format, paging } = query;
  // the head lines name the range's first version: recipients that rebuild a Delta log from the
  // answer (the Python client's delta format) put them there, where a reader of the range starts
  if (format === "delta") {
    yield deltaProtocolLine(head.protocol, query.includeProtocol ? query.from : undefined);
    yield deltaMetadataLine(head.metadata, query.access, { version: query.from });
  } else {
    yield protocolLine();
    yield parquetMetadataLine(query.table, head.metadata, query.from, query.access);
  }
  const resume = paging?.from;
  const from = resume?.version ?? query.from;
  let count = 0;
  let nextPageToken: string | undefined;
  const changes = readChanges(query.storage, {
    mode: query.mode,
    from,
    to: query.to,
    includeMetadata: query.includeMetadata,
    includeProtocol: query.includeProtocol,
    historyAfter: query.from,
    ict: query.ict,
  });
  let inSlice = query.sliceAt?.(head.metadata);
  // a file outside the recipient's slice is not there for it: never checked, counted or signed
  const visible = (item: FileItem) => {
    if (!inSlice) return true;
    const values = partitionValuesOf(item);
    return values !== undefined && inSlice(values);
  };
  versions: for await (const change of changes) {
    const skip = resume && change.version === resume.version ? resume.index : 0;
    const items = change.items;
    // the version's own metadata decides its slice (a table repartitioned since fails closed)
    for (const item of items)
      if (item.kind === "metaData" && query.sliceAt) inSlice = query.sliceAt(item.metaData);
    await checkStillThere(query, change.version, items.slice(skip).filter(isFile).filter(visible));
    for (let index = skip; index < items.length; index++) {
      const item = items[index] as ChangeItem;
      if (isFile(item) && !visible(item)) continue;
      if (item.kind === "metaData") {
        yield format === "delta"
          ? deltaMetadataLine(item.metaData, query.access, { version: change.version })
          : parquetMetadataLine(query.table, item.metaData, change.version, query.access);
        continue;
      }
      if (item.kind === "protocol") {
        if (format === "delta") yield deltaProtocolLine(item.protocol, change.version);
        continue;
      }
      if (paging && count === paging.size) {
        nextPageToken = paging.nextToken({
          kind: "changes",
          version: change.version,
          index,
          end: query.to,
          latest: query.latest.version,
          format,
        });
        break versions;
      }
      const file = item.kind === "add" ? item.add : item.kind === "remove" ? item.remove : item.cdc;
      const signed = await query.signer.sign(file, { version: change.version, timestamp: change.timestamp });
      yield fileLineOf(query, item, signed);
      count++;
    }
  }
  if (paging || query.endStreamAction) {
    yield endStreamLine({
      ...(nextPageToken !== undefined ? { nextPageToken } : {}),
      ...(query.signer.minExpiresAt !== undefined
        ? { minUrlExpirationTimestamp: query.signer.minExpiresAt }
        : {}),
    });
  }
}
