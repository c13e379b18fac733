// A DeltaShare's status: its spec valid as a whole, its content in the server's configuration,
// that configuration loaded by every ready server pod, its tables found by them, and Ready when all.
import type { DeltaShareStatus } from "../api/deltaShare.ts";
import type { DeltaShare } from "../api/kinds.ts";
import type { ServingReport } from "../serving/servingTracker.ts";
import { type ConditionInput, nextConditions, notYetJudged, readyFrom } from "./conditions.ts";
import { type Loading, loadedCondition } from "./configLoading.ts";
import type { RenderedShare } from "./shareConfig.ts";
import { filtersCondition } from "./shareFilters.ts";
import { tablesCondition } from "./shareTables.ts";

export type ShareServing =
  | { state: "serverMissing"; serverName: string }
  | { state: "nameTaken"; holder: string }
  | { state: "refused"; message: string }
  | { state: "pending"; serverName: string }
  | { state: "served"; serverName: string; loading: Loading; report: ServingReport | undefined };

function validCondition(rendered: RenderedShare): ConditionInput {
  const first = rendered.problems[0];
  if (first === undefined) {
    return { type: "Valid", status: "True", reason: "Valid", message: "the spec names only valid tables" };
  }
  const more = rendered.problems.length > 1 ? ` (and ${rendered.problems.length - 1} more)` : "";
  return { type: "Valid", status: "False", reason: first.reason, message: `${first.message}${more}` };
}

function servedCondition(serving: ShareServing, rendered: RenderedShare): ConditionInput {
  const type = "Served";
  switch (serving.state) {
    case "serverMissing":
      return {
        type,
        status: "False",
        reason: "ServerNotFound",
        message: `DeltaSharingServer ${serving.serverName} does not exist`,
      };
    case "nameTaken":
      return {
        type,
        status: "False",
        reason: "ShareNameConflict",
        message: `share name '${rendered.name}' is already served by DeltaShare ${serving.holder}`,
      };
    case "refused":
      return { type, status: "False", reason: "RefusedByServer", message: serving.message };
    case "pending":
      return {
        type,
        status: "Unknown",
        reason: "Pending",
        message: `waiting for server ${serving.serverName}'s configuration to include this share`,
      };
    case "served":
      return {
        type,
        status: "True",
        reason: "InServerConfig",
        message: `server ${serving.serverName}'s configuration holds '${rendered.name}' with ${rendered.tables} table${rendered.tables === 1 ? "" : "s"}`,
      };
  }
}

export function shareStatus(
  share: DeltaShare,
  rendered: RenderedShare,
  serving: ShareServing,
  now: Date,
): DeltaShareStatus {
  const served = servedCondition(serving, rendered);
  let loaded: ConditionInput;
  let tables: ConditionInput;
  let filters: ConditionInput | undefined;
  if (serving.state !== "served") {
    loaded = notYetJudged("Loaded", served);
    tables = notYetJudged("TablesFound", served);
  } else {
    if (serving.loading.loaded && serving.report !== undefined)
      filters = filtersCondition(rendered.config, serving.report);
    loaded = loadedCondition(serving.loading, `share '${rendered.name}'`);
    tables =
      serving.loading.loaded && serving.report !== undefined
        ? tablesCondition(rendered.config, serving.report)
        : notYetJudged("TablesFound", loaded);
  }
  const parts = [validCondition(rendered), served, loaded, tables, ...(filters ? [filters] : [])];
  const ready = readyFrom(parts, `served as '${rendered.name}'`, "Served");
  const generation = share.metadata.generation;
  const discovered = discoveredTables(rendered.name, serving);
  return {
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    conditions: nextConditions(share.status?.conditions, [ready, ...parts], generation, now),
    shareName: rendered.name,
    tables: serving.state === "served" || serving.state === "pending" ? rendered.tables : 0,
    ...(discovered ? { discovered } : {}),
  };
}

/** What the first ready pod that listed them found under the share's whole-schema locations. */
function discoveredTables(shareName: string, serving: ShareServing): DeltaShareStatus["discovered"] {
  if (serving.state !== "served" || serving.report === undefined) return undefined;
  for (const pod of serving.report.pods) {
    if (!("discovered" in pod.status) || pod.status.discovered === undefined) continue;
    const ours = pod.status.discovered.filter(
      (entry) => entry.share.toLowerCase() === shareName.toLowerCase(),
    );
    if (ours.length === 0) continue;
    return ours.map((entry) => ({
      schema: entry.schema,
      location: entry.location,
      tables: entry.tables,
      ...(entry.error !== null ? { error: entry.error } : {}),
    }));
  }
  return undefined;
}
