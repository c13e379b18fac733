// From a table's configured location to the storage that reads it.
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { S3Client } from "@aws-sdk/client-s3";
import type { FileUrlCodec } from "./fileUrls.ts";
import { LocalTableStorage } from "./localStorage.ts";
import { rootUri } from "./loggedPath.ts";
import { parseS3Location } from "./s3Location.ts";
import { S3TableStorage } from "./s3Storage.ts";
import type { TableStorage } from "./storage.ts";
import { TableFiles } from "./tableFiles.ts";

export interface StorageDeps {
  s3Client: () => S3Client;
  fileUrls: FileUrlCodec;
}

/** The storage of a table root: its own location (root 0) or the `root`-th of its extra roots. */
export function openTableStorage(
  location: string,
  tableId: string,
  deps: StorageDeps,
  root = 0,
): TableStorage {
  const s3 = parseS3Location(location);
  if (s3) return new S3TableStorage(location, deps.s3Client(), s3.bucket, s3.prefix);
  const path = location.startsWith("file:") ? fileURLToPath(location) : location;
  if (!isAbsolute(path)) throw new Error(`table location is not absolute: ${location}`);
  return new LocalTableStorage(location, resolve(path), tableId, deps.fileUrls, root);
}

/** The data files of a table: its own location first, then the extra roots its config lists. */
export function openTableFiles(
  storage: TableStorage,
  extraRoots: readonly string[],
  tableId: string,
  deps: StorageDeps,
): TableFiles {
  return new TableFiles([
    { uri: rootUri(storage.location), storage },
    ...extraRoots.map((location, index) => ({
      uri: rootUri(location),
      storage: openTableStorage(location, tableId, deps, index + 1),
    })),
  ]);
}
