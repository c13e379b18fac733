// A share's partition filters as the server's pods judged them against each table's Delta log
// (filters[] of the ops status document): a filter naming a column that is not a partition column
// serves that table to nobody, so it is named here, where the share was written. Present only for
// shares with a filtered table.
import type { ShareConfig } from "../../server/config/schema.ts";
import type { ServingReport } from "../serving/servingTracker.ts";
import type { ConditionInput } from "./conditions.ts";

const lower = (text: string) => text.toLowerCase();

export function filtersCondition(share: ShareConfig, report: ServingReport): ConditionInput | undefined {
  const filtered = share.schemas.flatMap((schema) =>
    schema.tables
      .filter((table) => table.partitionFilter !== undefined)
      .map((table) => `${lower(schema.name)}.${lower(table.name)}`),
  );
  if (filtered.length === 0) return undefined;
  const type = "PartitionFiltersApply";
  const reports = report.pods.flatMap((pod) => ("filters" in pod.status ? (pod.status.filters ?? []) : []));
  const ours = reports.filter((filter) => lower(filter.share) === lower(share.name));
  const failing = ours.find((filter) => !filter.ok);
  if (failing) {
    return {
      type,
      status: "False",
      reason: "PartitionFilterUnusable",
      message: `table ${failing.schema}.${failing.table}: partition filter (${failing.filter}) serves nothing: ${failing.message ?? "it cannot be applied"}`,
    };
  }
  const checked = new Set(ours.map((filter) => `${lower(filter.schema)}.${lower(filter.table)}`));
  const unchecked = filtered.find((table) => !checked.has(table));
  if (unchecked !== undefined) {
    return {
      type,
      status: "Unknown",
      reason: "PartitionFiltersPending",
      message: `the server's pods have not checked the partition filter of table ${unchecked} yet`,
    };
  }
  return {
    type,
    status: "True",
    reason: "PartitionFiltersApply",
    message: `every partition filter names only partition columns of its table`,
  };
}
