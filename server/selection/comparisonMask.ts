// Which truth values `x op literal` may take over a file's non-null values of x, knowing only
// bounds on those values. Both sides are ranges: the file's values lie in [lo, hi], the literal's
// true value in [literal.lo, literal.hi] (a point unless its conversion was inexact).
import type { NumberRange } from "./columnValues.ts";
import { compareCodePoints } from "./ordering.ts";
import type { ComparisonOp } from "./predicate.ts";
import { F, none, T } from "./truth.ts";

function mask(mayBeTrue: boolean, mayBeFalse: boolean): number {
  return (mayBeTrue ? T : none) | (mayBeFalse ? F : none);
}

// `nan`: the file may hold NaN, which Spark orders above every number and equal only to itself.
export function numberComparison(
  op: ComparisonOp,
  lo: number,
  hi: number,
  literal: NumberRange,
  nan: boolean,
): number {
  switch (op) {
    case "lessThan":
      return mask(lo < literal.hi, hi >= literal.lo || nan);
    case "lessThanOrEqual":
      return mask(lo <= literal.hi, hi > literal.lo || nan);
    case "greaterThan":
      return mask(hi > literal.lo || nan, lo <= literal.hi);
    case "greaterThanOrEqual":
      return mask(hi >= literal.lo || nan, lo < literal.hi);
    case "equal": {
      const allEqual = lo === hi && literal.lo === literal.hi && lo === literal.lo;
      return mask(lo <= literal.hi && hi >= literal.lo, !allEqual || nan);
    }
  }
}

export interface StringBounds {
  // A lower bound; "" when unknown, as no string sorts below it.
  min: string;
  // An upper bound, or undefined when unknown.
  max: string | undefined;
  // Statistics may cut long strings, so any string starting with max may still be in the file.
  maxIsPrefix: boolean;
}

function maxAbove(bounds: StringBounds, literal: string, orEqual: boolean): boolean {
  if (bounds.max === undefined) return true;
  const order = compareCodePoints(bounds.max, literal);
  if (order > 0 || (orEqual && order === 0)) return true;
  return bounds.maxIsPrefix && literal.startsWith(bounds.max);
}

export function stringComparison(op: ComparisonOp, bounds: StringBounds, literal: string): number {
  const order = compareCodePoints(bounds.min, literal);
  switch (op) {
    case "lessThan":
      return mask(order < 0, maxAbove(bounds, literal, true));
    case "lessThanOrEqual":
      return mask(order <= 0, maxAbove(bounds, literal, false));
    case "greaterThan":
      return mask(maxAbove(bounds, literal, false), order <= 0);
    case "greaterThanOrEqual":
      return mask(maxAbove(bounds, literal, true), order < 0);
    case "equal": {
      const allEqual = !bounds.maxIsPrefix && bounds.max === bounds.min && order === 0;
      return mask(order <= 0 && maxAbove(bounds, literal, true), !allEqual);
    }
  }
}
