// The status condition every kind reports, shaped exactly like metav1.Condition so that
// `kubectl wait --for=condition=Ready`, Argo CD and Flux read it without custom code.
import { type Static, Type as T } from "@sinclair/typebox";
import { listMapOptions, StringEnum } from "./schemaHelpers.ts";

export const Condition = T.Object({
  type: T.String({
    maxLength: 316,
    pattern:
      "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$",
    description: "Type of condition in CamelCase: Ready, ConfigRendered, Available, CredentialsIssued…",
  }),
  status: StringEnum(["True", "False", "Unknown"] as const),
  observedGeneration: T.Optional(
    T.Integer({ minimum: 0, description: "The .metadata.generation the condition was set from." }),
  ),
  lastTransitionTime: T.String({
    format: "date-time",
    description: "When the condition last changed from one status to another.",
  }),
  reason: T.String({
    minLength: 1,
    maxLength: 1024,
    pattern: "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$",
    description: "A programmatic identifier of the reason for the last transition, in CamelCase.",
  }),
  message: T.String({ maxLength: 32768, description: "A human-readable message with details." }),
});

export type Condition = Static<typeof Condition>;
export type ConditionStatus = Condition["status"];

export const Conditions = T.Array(Condition, { maxItems: 16, ...listMapOptions("type") });
