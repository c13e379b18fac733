// How recipients may read a table (PROTOCOL.md "Access Modes"): `url` (presigned URLs from Query
// Table) always; `dir` (temporary credentials for the table's directory) where the table offers it
// and the recipient may have it, together with the table's `location`, which the protocol requires
// beside `dir`. Every answer that carries table metadata (metadata, query, changes, list tables)
// says so per recipient, so a client that reads only directories sees `dir` exactly where its
// credentials request would succeed.

import { directoryAccessRefusal } from "../auth/directoryAccess.ts";
import type { Identity } from "../auth/identity.ts";
import type { SharedTable } from "../shares/catalog.ts";
import { parseS3Location, s3Uri } from "../storage/s3Location.ts";

export type AccessMode = "url" | "dir";

export const accessModes: readonly ["url"] = ["url"];

export interface TableAccess {
  accessModes: readonly AccessMode[];
  location?: string;
}

export function tableAccess(table: SharedTable, identity: Identity): TableAccess {
  const location = parseS3Location(table.location);
  if (location === undefined || directoryAccessRefusal(table, identity) !== undefined) return { accessModes };
  return { accessModes: ["url", "dir"], location: s3Uri(location) };
}
