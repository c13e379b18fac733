// A share's tables as the server's pods found them when they loaded the configuration: each
// table's `_delta_log` probed by every ready pod (tables[] of the ops status document). A table
// any pod could not find or read is named, with its location, so a typo in a location is seen
// where it was made, not by a recipient's 404.
import type { ShareConfig } from "../../server/config/schema.ts";
import type { TableHealth } from "../serving/opsStatus.ts";
import type { ServingReport } from "../serving/servingTracker.ts";
import type { ConditionInput } from "./conditions.ts";
import { plural } from "./serverStatus.ts";

const lower = (text: string) => text.toLowerCase();
const tableKey = (share: string, schema: string, table: string) =>
  `${lower(share)}.${lower(schema)}.${lower(table)}`;

/** Every pod's report on each of the share's tables, by share.schema.table (lower case). */
function reportsOf(share: ShareConfig, report: ServingReport): Map<string, TableHealth[]> {
  const byTable = new Map<string, TableHealth[]>();
  for (const schema of share.schemas)
    for (const table of schema.tables) byTable.set(tableKey(share.name, schema.name, table.name), []);
  for (const pod of report.pods) {
    if (!("tables" in pod.status)) continue;
    for (const health of pod.status.tables) {
      byTable.get(tableKey(health.share, health.schema, health.table))?.push(health);
    }
  }
  return byTable;
}

function described(health: TableHealth): string {
  const name = `table ${health.share}.${health.schema}.${health.table}`;
  const detail = health.message ? `: ${health.message}` : "";
  if (health.state === "notFound") return `${name} was not found at ${health.location}${detail}`;
  return `${name} at ${health.location} cannot be read${detail}`;
}

export function tablesCondition(share: ShareConfig, report: ServingReport): ConditionInput {
  const type = "TablesFound";
  const byTable = reportsOf(share, report);
  const all = [...byTable.values()].flat();
  const failing = all.filter((health) => health.state === "notFound" || health.state === "unreadable");
  if (failing.length > 0) {
    const first = failing[0] as TableHealth;
    const names = new Set(failing.map((health) => tableKey(health.share, health.schema, health.table)));
    const more = names.size > 1 ? ` (and ${plural(names.size - 1, "more table")})` : "";
    return {
      type,
      status: "False",
      reason: first.state === "notFound" ? "TableNotFound" : "TableUnreadable",
      message: `${described(first)}${more}`,
    };
  }
  const unchecked = [...byTable.entries()].filter(
    ([, reports]) => reports.length < report.pods.length || reports.some((health) => health.state !== "ok"),
  );
  if (unchecked.length > 0) {
    return {
      type,
      status: "Unknown",
      reason: "TablesPending",
      message: `the server's pods have not checked table ${unchecked[0]?.[0]} yet`,
    };
  }
  return {
    type,
    status: "True",
    reason: "TablesFound",
    message: `every ready pod read the Delta log of ${plural(byTable.size, "table")}`,
  };
}
