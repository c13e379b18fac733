// Whether a recipient may have temporary credentials for a table's directory, and why not.
// Those credentials expose everything under the table's root — the whole `_delta_log` and the
// files of every version — so directory access is refused wherever the server otherwise shows a
// recipient less than that: history not shared, history shared only from a later version, a
// per-recipient partition filter, or files outside the root that the credentials would not cover.
import type { SharedTable } from "../shares/catalog.ts";
import { parseS3Location } from "../storage/s3Location.ts";
import type { Identity } from "./identity.ts";

const nameOf = (table: SharedTable) => `${table.share}.${table.schema}.${table.name}`;

/** The reason `identity` may not have directory access to `table`, or undefined when it may. */
export function directoryAccessRefusal(table: SharedTable, identity: Identity): string | undefined {
  if (!table.directoryAccess) return `table '${nameOf(table)}' does not offer directory access`;
  if (!identity.directoryAccess) {
    return `recipient '${identity.recipient}' is not allowed directory access`;
  }
  if (!parseS3Location(table.location)) return `table '${nameOf(table)}' is not stored in S3`;
  if (!table.historyShared) {
    return `table '${nameOf(table)}' does not share its history, which credentials for its directory would expose`;
  }
  if (table.startVersion > 0) {
    return `table '${nameOf(table)}' shares its history from version ${table.startVersion} only; credentials for its directory would expose earlier versions`;
  }
  if (table.extraRoots.length > 0) {
    return `table '${nameOf(table)}' has files outside its directory (extraRoots), which credentials for its directory would not cover`;
  }
  // a filter slices by recipient properties: even one that would let this recipient see everything
  // today is refused, so that no recipient's access depends on the values in its properties
  const filter = table.partitionFilter?.text;
  if (filter !== undefined) {
    return `recipient '${identity.recipient}' reads table '${nameOf(table)}' through a partition filter (${filter}); credentials for its directory would expose every partition`;
  }
  return undefined;
}
