// TypeBox shapes that map onto Kubernetes structural-schema constructs which JSON Schema spells
// differently (enums, string maps, int-or-string, free-form objects), and CEL rules. The CRD
// generator refuses any keyword the API server would not accept, so these are the only ways in.
import { Type as T, type TObject, type TUnsafe } from "@sinclair/typebox";

export interface CelRule {
  rule: string;
  message: string;
  /** A field path (relative to the rule's object) the API server names in the error. */
  fieldPath?: string;
  reason?: "FieldValueInvalid" | "FieldValueForbidden" | "FieldValueRequired" | "FieldValueDuplicate";
}

/** Schema options carrying CEL validation rules. */
export function cel(...rules: CelRule[]): { "x-kubernetes-validations": CelRule[] } {
  return { "x-kubernetes-validations": rules };
}

export function StringEnum<const Values extends readonly string[]>(
  values: Values,
  options: Record<string, unknown> = {},
): TUnsafe<Values[number]> {
  return T.Unsafe<Values[number]>({ ...options, type: "string", enum: [...values] });
}

export function StringMap(options: Record<string, unknown> = {}): TUnsafe<Record<string, string>> {
  return T.Unsafe<Record<string, string>>({
    ...options,
    type: "object",
    additionalProperties: { type: "string" },
  });
}

/** A Kubernetes quantity or a count: `2`, `"500m"`, `"25%"`. */
export function IntOrString(options: Record<string, unknown> = {}): TUnsafe<number | string> {
  return T.Unsafe<number | string>({ ...options, "x-kubernetes-int-or-string": true });
}

/** An object passed through to a Kubernetes type the operator does not model (e.g. affinity). */
export function FreeObject(options: Record<string, unknown> = {}): TUnsafe<Record<string, unknown>> {
  return T.Unsafe<Record<string, unknown>>({
    ...options,
    type: "object",
    "x-kubernetes-preserve-unknown-fields": true,
  });
}

/** A list whose items are identified by the given keys (server-side apply merges by them). */
export function listMapOptions(...keys: string[]): Record<string, unknown> {
  return { "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": keys };
}

export function listSetOptions(): Record<string, unknown> {
  return { "x-kubernetes-list-type": "set" };
}

/** Go-style durations as Kubernetes APIs write them, and days: "500ms", "90s", "15m", "36h", "90d", "1h30m". */
export const durationPattern = "^([0-9]{1,9}(ms|d|h|m|s))+$";
export const durationExamples = "90d, 36h, 15m, 30s or 1h30m";

// A CEL rule rather than `pattern`: the API server answers a pattern mismatch with the raw regular
// expression, a rule with its message.
export function Duration(options: Record<string, unknown> = {}) {
  return T.String({
    maxLength: 64,
    ...options,
    ...cel({
      rule: `self.matches('${durationPattern}')`,
      message: `must be a duration such as ${durationExamples}`,
    }),
  });
}

/** A duration, or "never". */
export function DurationOrNever(options: Record<string, unknown> = {}) {
  return T.String({
    maxLength: 64,
    ...options,
    ...cel({
      rule: `self == 'never' || self.matches('${durationPattern}')`,
      message: `must be 'never' or a duration such as ${durationExamples}`,
    }),
  });
}

export const ObjectName = (options: Record<string, unknown> = {}) =>
  T.String({
    minLength: 1,
    maxLength: 253,
    pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
    ...options,
  });

/** A reference to an object of a known kind in the same namespace. */
export const LocalObjectReference = (description: string) =>
  T.Object(
    { name: ObjectName({ description: "Name of the object, in the same namespace." }) },
    { description },
  );

/**
 * A server-configuration object as an optional spec field: the same keys and bounds (one definition),
 * every key optional, and no default applied by the API server: the operator fills the server's
 * defaults when it renders, so a stored object never freezes today's default.
 */
export function optionalFieldsOf<Schema extends TObject>(schema: Schema, description: string) {
  const partial = T.Partial(schema, { description });
  delete (partial as { additionalProperties?: unknown }).additionalProperties;
  for (const field of Object.values(partial.properties) as { default?: unknown; description?: string }[]) {
    if (field.default === undefined) continue;
    field.description = `${field.description ?? ""} (default ${JSON.stringify(field.default)})`.trim();
    delete field.default;
  }
  return partial;
}
