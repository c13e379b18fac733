// The slice of a table one recipient may see: its partition filter bound to the recipient's
// properties and checked against the table's metadata at the version read. A filter that cannot be
// applied (a column that is not, or no longer, a partition column) fails closed: the request is
// refused with the reason and no file is listed, counted or signed.
import type { FastifyRequest } from "fastify";
import type { TableMetadata } from "../delta/actions.ts";
import { filterProblem, type SliceTest, sliceTest } from "../selection/partitionFilterMatch.ts";
import type { SharedTable } from "../shares/catalog.ts";
import { tableLabel } from "../shares/catalog.ts";
import { SharingError } from "./errors.ts";

/** The recipient's test of a file's partition values, or undefined when the table has no filter. */
export function recipientSlice(
  request: FastifyRequest,
  table: SharedTable,
  metadata: TableMetadata,
): SliceTest | undefined {
  const filter = table.partitionFilter;
  if (!filter) return undefined;
  if (request.audit) request.audit.partitionFilter = filter.text;
  const problem = filterProblem(filter.node, metadata);
  if (problem) {
    throw new SharingError(
      "unreadableTable",
      `table ${tableLabel(table)}: its partition filter (${filter.text}) cannot be applied: ${problem}; nothing is served`,
    );
  }
  return sliceTest(filter.node, metadata, request.identity.properties);
}
