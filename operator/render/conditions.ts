// Status conditions as Kubernetes API conventions define them: a condition's lastTransitionTime
// moves only when its status changes, so a reason or message update is not a transition.
import type { Condition, ConditionStatus } from "../api/condition.ts";

export interface ConditionInput {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
}

/** The next conditions list: `inputs` in order, each keeping its previous transition time when its status is unchanged. */
export function nextConditions(
  previous: Condition[] | undefined,
  inputs: ConditionInput[],
  generation: number | undefined,
  now: Date,
): Condition[] {
  return inputs.map((input) => {
    const before = previous?.find((condition) => condition.type === input.type);
    const lastTransitionTime =
      before !== undefined && before.status === input.status ? before.lastTransitionTime : rfc3339(now);
    return {
      type: input.type,
      status: input.status,
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
      lastTransitionTime,
      reason: input.reason,
      message: input.message,
    };
  });
}

export function findCondition(conditions: Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((condition) => condition.type === type);
}

/** Seconds precision, as metav1.Time serialises. */
export function rfc3339(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** Ready: True only when every other condition is True; else the first that is not, with its reason. */
export function readyFrom(
  conditions: ConditionInput[],
  readyMessage: string,
  readyReason = "Ready",
): ConditionInput {
  const failing = conditions.find((condition) => condition.status !== "True");
  if (failing === undefined)
    return { type: "Ready", status: "True", reason: readyReason, message: readyMessage };
  return { type: "Ready", status: failing.status, reason: failing.reason, message: failing.message };
}

/**
 * A condition that cannot be judged while an earlier one does not hold says so, with that one's
 * reason: conditions never contradict each other (no "every granted share is served" beside
 * "the server does not exist").
 */
export function notYetJudged(type: string, blocking: ConditionInput): ConditionInput {
  return { type, status: "Unknown", reason: blocking.reason, message: `not checked: ${blocking.message}` };
}

/**
 * Conditions whose Ready no longer holds while a change (a new token) is not yet served: the status
 * write that records the change must not leave the previous state's Ready=True beside it.
 */
export function readyPending(previous: Condition[], message: string, now: Date): Condition[] {
  return previous.map((condition) =>
    condition.type !== "Ready" || condition.status === "Unknown"
      ? condition
      : {
          ...condition,
          status: "Unknown",
          reason: "WaitingForPods",
          message,
          lastTransitionTime: rfc3339(now),
        },
  );
}
