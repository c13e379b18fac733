// `jsonPredicateHints`: the protocol's JSON predicate tree, validated strictly. Anything this server
// does not fully understand is refused with a PredicateError; the caller then skips filtering, as
// the protocol asks. The limits keep a hostile hint from costing more than a small request.
import {
  type Comparison,
  isComparisonOp,
  isValueType,
  type Leaf,
  type Predicate,
  PredicateError,
  type ValueType,
} from "./predicate.ts";
import {
  isInt32Text,
  isInt64Text,
  parseBooleanText,
  parseDateText,
  parseFloatText,
  parseTimestampText,
} from "./valueText.ts";

export interface JsonPredicateLimits {
  maxLength: number;
  maxDepth: number;
  maxNodes: number;
}

export const defaultJsonPredicateLimits: JsonPredicateLimits = {
  maxLength: 1_000_000,
  maxDepth: 64,
  maxNodes: 10_000,
};

type JsonObject = Record<string, unknown>;

export function parseJsonPredicate(
  text: string,
  limits: JsonPredicateLimits = defaultJsonPredicateLimits,
): Predicate {
  if (text.length > limits.maxLength) {
    throw new PredicateError(`predicate is ${text.length} characters, over the limit of ${limits.maxLength}`);
  }
  let tree: unknown;
  try {
    tree = JSON.parse(text);
  } catch {
    throw new PredicateError("predicate is not valid JSON");
  }
  const budget = { nodes: 0 };
  return readPredicate(tree, 1, budget, limits);
}

function readPredicate(
  node: unknown,
  depth: number,
  budget: { nodes: number },
  limits: JsonPredicateLimits,
): Predicate {
  const object = readNode(node, depth, budget, limits);
  const op = object.op;
  switch (op) {
    case "and":
    case "or": {
      allowKeys(object, ["op", "children"]);
      const children = readChildren(object, op);
      if (children.length < 2) throw new PredicateError(`${op} needs at least 2 children`);
      return { op, children: children.map((child) => readPredicate(child, depth + 1, budget, limits)) };
    }
    case "not": {
      allowKeys(object, ["op", "children"]);
      const children = readChildren(object, op);
      if (children.length !== 1) throw new PredicateError("not needs exactly 1 child");
      return { op, child: readPredicate(children[0], depth + 1, budget, limits) };
    }
    case "isNull": {
      allowKeys(object, ["op", "children"]);
      const children = readChildren(object, op);
      if (children.length !== 1) throw new PredicateError("isNull needs exactly 1 child");
      return { op, child: readLeaf(children[0], depth + 1, budget, limits) };
    }
    default: {
      if (!isComparisonOp(op)) {
        if (op === "column" || op === "literal") throw new PredicateError(`${op} cannot stand alone`);
        throw new PredicateError(`unknown op ${describe(op)}`);
      }
      allowKeys(object, ["op", "children", "exprCtx"]);
      const children = readChildren(object, op);
      if (children.length !== 2) throw new PredicateError(`${op} needs exactly 2 children`);
      const comparison: Comparison = {
        op,
        left: readLeaf(children[0], depth + 1, budget, limits),
        right: readLeaf(children[1], depth + 1, budget, limits),
      };
      if (isCollated(object.exprCtx)) comparison.collated = true;
      return comparison;
    }
  }
}

function readLeaf(
  node: unknown,
  depth: number,
  budget: { nodes: number },
  limits: JsonPredicateLimits,
): Leaf {
  const object = readNode(node, depth, budget, limits);
  if (object.op === "column") {
    allowKeys(object, ["op", "name", "valueType"]);
    const name = object.name;
    if (typeof name !== "string" || name.length === 0) throw new PredicateError("column needs a name");
    return { op: "column", name, valueType: readValueType(object.valueType) };
  }
  if (object.op === "literal") {
    allowKeys(object, ["op", "value", "valueType"]);
    const valueType = readValueType(object.valueType);
    const value = object.value;
    if (typeof value !== "string") throw new PredicateError("literal value must be a string");
    if (!isValidValue(value, valueType)) {
      throw new PredicateError(`literal ${describe(value)} is not a valid ${valueType}`);
    }
    return { op: "literal", value, valueType };
  }
  throw new PredicateError(`expected a column or literal, found ${describe(object.op)}`);
}

function readNode(
  node: unknown,
  depth: number,
  budget: { nodes: number },
  limits: JsonPredicateLimits,
): JsonObject {
  if (depth > limits.maxDepth) throw new PredicateError(`predicate is nested deeper than ${limits.maxDepth}`);
  budget.nodes += 1;
  if (budget.nodes > limits.maxNodes)
    throw new PredicateError(`predicate has more than ${limits.maxNodes} ops`);
  if (typeof node !== "object" || node === null || Array.isArray(node)) {
    throw new PredicateError("every op must be a JSON object");
  }
  return node as JsonObject;
}

function readChildren(object: JsonObject, op: string): unknown[] {
  const children = object.children;
  if (!Array.isArray(children)) throw new PredicateError(`${op} needs a children array`);
  return children;
}

function allowKeys(object: JsonObject, allowed: readonly string[]): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) throw new PredicateError(`unexpected field ${describe(key)} in ${object.op}`);
  }
}

function readValueType(value: unknown): ValueType {
  if (!isValueType(value)) throw new PredicateError(`unknown valueType ${describe(value)}`);
  return value;
}

function isValidValue(value: string, valueType: ValueType): boolean {
  switch (valueType) {
    case "bool":
      return parseBooleanText(value) !== undefined;
    case "int":
      return isInt32Text(value);
    case "long":
      return isInt64Text(value);
    case "float":
    case "double":
      return parseFloatText(value) !== undefined;
    case "date":
      return parseDateText(value) !== undefined;
    case "timestamp":
      return parseTimestampText(value, { strictIso: true }) !== undefined;
    case "string":
      return true;
  }
}

// Spark sends `exprCtx: {collationIdentifier}` for string comparisons; only the binary collation
// orders strings the way file statistics do.
function isCollated(exprCtx: unknown): boolean {
  if (exprCtx === undefined || exprCtx === null) return false;
  if (typeof exprCtx !== "object" || Array.isArray(exprCtx))
    throw new PredicateError("exprCtx must be an object");
  const context = exprCtx as JsonObject;
  allowKeys({ ...context, op: "exprCtx" }, ["op", "collationIdentifier"]);
  const collation = context.collationIdentifier;
  if (collation === undefined || collation === null) return false;
  if (typeof collation !== "string") throw new PredicateError("collationIdentifier must be a string");
  const parts = collation.toUpperCase().split(".");
  return !(parts[0] === "UTF8_BINARY" || parts[1] === "UTF8_BINARY");
}

function describe(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
