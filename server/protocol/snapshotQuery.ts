// The lines of a snapshot query (latest, or at a version or timestamp): protocol, metadata, files.
// Paged queries walk the snapshot's files in key order and resume after the last key handed out,
// so no page holds more than its own files beyond the (cached) snapshot and its key index.
import type { AddFile } from "../delta/actions.ts";
import type { ActiveFiles } from "../delta/activeFiles.ts";
import { FileView } from "../delta/fileView.ts";
import type { Snapshot } from "../delta/snapshot.ts";
import { numRecords, type SelectionReport, selectFiles } from "../selection/fileSelection.ts";
import type { SliceTest } from "../selection/partitionFilterMatch.ts";
import type { SharedTable } from "../shares/catalog.ts";
import type { TableAccess } from "./accessModes.ts";
import { batchedFileLines } from "./batchedFileLines.ts";
import type { ResponseFormat } from "./capabilities.ts";
import { deltaAddLine, deltaMetadataLine, deltaProtocolLine } from "./deltaLines.ts";
import { fileId } from "./fileIds.ts";
import type { FileSigner } from "./fileSigning.ts";
import { fileLine, fileLineText, metadataLine, protocolLine } from "./parquetLines.ts";
import type { SnapshotPage } from "./queryPageToken.ts";
import { type EndStreamAction, endStreamLine } from "./streamStart.ts";

/** Text of file lines gathered before handing them on: fewer, larger writes. */
const batchChars = 32 * 1024;

/** Handles of the files whose key sorts after `after`, in key order. */
function* handlesAfter(files: ActiveFiles, after: string | undefined): Generator<number> {
  const order = files.keyOrder();
  let low = 0;
  if (after !== undefined) {
    let high = order.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (files.keyOf(order[middle] as number) <= after) low = middle + 1;
      else high = middle;
    }
  }
  for (let i = low; i < order.length; i++) yield order[i] as number;
}

function* views(view: FileView, handles: Iterable<number>): Generator<FileView> {
  for (const handle of handles) yield view.at(handle);
}

export interface SnapshotQuery {
  table: SharedTable;
  /** Access modes (and location) for the asking recipient, named in the metadata line. */
  access: TableAccess;
  snapshot: Snapshot;
  format: ResponseFormat;
  /** Version and commit time for the file lines, when the query named a version or timestamp. */
  versioned?: { timestamp?: number };
  /** The recipient's partition filter, when the table has one. */
  slice?: SliceTest;
  mightMatch?: (file: AddFile) => boolean;
  limitHint?: number;
  signer: FileSigner;
  report: SelectionReport;
  /** Paging: the page size, where this page starts, and how to make the next page's token. */
  paging?: { size: number; from?: SnapshotPage; nextToken: (page: SnapshotPage) => string };
  /** A refresh token to hand out (latest-snapshot queries that asked for one). */
  refreshToken?: string;
  endStreamAction: boolean;
}

export async function* snapshotQueryLines(query: SnapshotQuery): AsyncGenerator<unknown> {
  const { snapshot, format, signer, paging, versioned } = query;
  const sliced = query.slice !== undefined;
  if (format === "delta") {
    yield deltaProtocolLine(snapshot.protocol);
    const size = metadataLine(snapshot, query.table, {
      withVersion: false,
      access: query.access,
      sliced,
    }).metaData;
    yield deltaMetadataLine(snapshot.metadata, query.access, {
      ...(versioned ? { version: snapshot.version } : {}),
      ...("size" in size ? { size: size.size, numFiles: size.numFiles } : {}),
    });
  } else {
    yield protocolLine();
    yield metadataLine(snapshot, query.table, {
      withVersion: versioned !== undefined,
      access: query.access,
      sliced,
    });
  }
  const rowsBefore = paging?.from?.rows ?? 0;
  const limit = query.limitHint === undefined ? undefined : Math.max(0, query.limitHint - rowsBefore);
  const files = snapshot.files;
  const handles = paging ? handlesAfter(files, paging.from?.after) : files.handles();
  const selected = selectFiles(
    views(new FileView(files), handles),
    {
      ...(query.slice ? { inSlice: query.slice } : {}),
      ...(query.mightMatch ? { mightMatch: query.mightMatch } : {}),
      ...(limit !== undefined ? { limitHint: limit } : {}),
    },
    query.report,
  );
  const stamp = versioned
    ? {
        version: snapshot.version,
        ...(versioned.timestamp !== undefined ? { timestamp: versioned.timestamp } : {}),
      }
    : undefined;
  if (format === "parquet" && !paging && !files.hasDeletionVectors) {
    yield* batchedFileLines(selected, signer, stamp, batchChars);
    yield* endLines(query, undefined);
    return;
  }
  let count = 0;
  let rows = rowsBefore;
  let last: number | undefined;
  let nextPageToken: string | undefined;
  let batch = "";
  for (const view of selected) {
    if (paging && count === paging.size) {
      // one more file matches: there is a next page, starting after the last one handed out
      query.report.returned--;
      query.report.considered--;
      if (last !== undefined) {
        nextPageToken = paging.nextToken({
          kind: "snapshot",
          version: snapshot.version,
          format,
          after: files.keyOf(last),
          rows,
        });
      }
      break;
    }
    if (format === "delta" || view.deletionVector) {
      const file = view.file();
      const signed = await signer.sign(file, stamp ?? {});
      const line =
        format === "delta"
          ? deltaAddLine(file, signed)
          : fileLine(file, {
              id: signed.id,
              url: signed.url,
              expiresAt: signed.expiresAt,
              ...(stamp ? { version: stamp } : {}),
            });
      batch += `${JSON.stringify(line)}\n`;
    } else {
      const signed = signer.urlNow(view.path) ?? (await signer.url(view.path));
      const id = signer.idScheme === "parquet" ? view.fileIdHex : undefined;
      batch += fileLineText(view, { ...signed, id: id ?? fileId(view.path, signer.idScheme) }, stamp);
    }
    count++;
    last = view.handle;
    if (paging && !view.deletionVector) rows += numRecords(view) ?? 0;
    if (batch.length >= batchChars) {
      yield batch;
      batch = "";
    }
  }
  if (batch !== "") yield batch;
  yield* endLines(query, nextPageToken);
}

function* endLines(query: SnapshotQuery, nextPageToken: string | undefined): Generator<unknown> {
  if (query.paging || query.refreshToken !== undefined || query.endStreamAction) {
    const end: EndStreamAction = {
      ...(query.refreshToken !== undefined ? { refreshToken: query.refreshToken } : {}),
      ...(nextPageToken !== undefined ? { nextPageToken } : {}),
      ...(query.signer.minExpiresAt !== undefined
        ? { minUrlExpirationTimestamp: query.signer.minExpiresAt }
        : {}),
    };
    yield endStreamLine(end);
  }
}
