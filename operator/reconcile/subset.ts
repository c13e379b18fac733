// Whether an object already holds every field a rendered object sets, with the same values; the
// API server adds defaults and other managers' fields, which do not count as differences. Used to
// skip writes that would change nothing.
export function isSubset(desired: unknown, actual: unknown): boolean {
  if (desired === actual) return true;
  if (Array.isArray(desired)) {
    if (!Array.isArray(actual) || actual.length !== desired.length) return false;
    return desired.every((item, index) => isSubset(item, actual[index]));
  }
  if (typeof desired === "object" && desired !== null) {
    if (typeof actual !== "object" || actual === null || Array.isArray(actual)) return false;
    const record = actual as Record<string, unknown>;
    return Object.entries(desired).every(
      ([key, value]) => value === undefined || isSubset(value, record[key]),
    );
  }
  return false;
}
