// Reporting a reconcile's outcome: the status written (when it changed), a Warning event when Ready
// turns False or changes its reason while False, and word back when it turned True.
import type { Condition } from "../api/condition.ts";
import type { KubeObject } from "../kube/objects.ts";
import type { ResourceType } from "../kube/resourceTypes.ts";
import { writeStatus } from "./apply.ts";
import type { ReconcileContext } from "./context.ts";

const readyOf = (conditions: Condition[] | undefined) =>
  conditions?.find((condition) => condition.type === "Ready");

/** Returns the Ready condition when it has just become True (for callers that announce it). */
export async function reportStatus<Status extends { conditions?: Condition[] }>(
  context: ReconcileContext,
  type: ResourceType,
  object: KubeObject & { status?: Status },
  status: Status,
): Promise<Condition | undefined> {
  const before = readyOf(object.status?.conditions);
  const changed = await writeStatus(context, type, object, status);
  const ready = readyOf(status.conditions);
  if (!changed || ready === undefined) return undefined;
  if (before?.status === ready.status && before.reason === ready.reason) return undefined;
  if (ready.status === "False") context.events.record(object, "Warning", ready.reason, ready.message);
  return ready.status === "True" ? ready : undefined;
}
