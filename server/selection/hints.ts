// Turns a query's predicate hints into a file filter. Hints are best effort: one the server cannot
// parse or use is reported (for logs and metrics) and simply not applied; it never fails the
// query, and never turns filtering off for later requests.
import type { ServerConfig } from "../config/schema.ts";
import type { AddFile } from "../delta/actions.ts";
import type { Snapshot } from "../delta/snapshot.ts";
import { parseJsonPredicate } from "./jsonPredicate.ts";
import { allOf, type Predicate, PredicateError } from "./predicate.ts";
import { compilePruner } from "./prune.ts";
import { parseSqlPredicates } from "./sqlPredicate.ts";

export interface HintProblem {
  hint: "jsonPredicateHints" | "predicateHints";
  reason: string;
}

export interface CompiledHints {
  mightMatch?: (file: AddFile) => boolean;
  problems: HintProblem[];
  /** Whether any hint was received at all. */
  received: boolean;
}

interface HintBody {
  jsonPredicateHints?: string | undefined;
  predicateHints?: string[] | undefined;
}

type HintConfig = Pick<ServerConfig, "evaluateJsonPredicateHints" | "evaluatePredicateHints" | "limits">;

function reason(error: unknown): string {
  return error instanceof PredicateError || error instanceof Error ? error.message : String(error);
}

export function compileHints(body: HintBody, snapshot: Snapshot, config: HintConfig): CompiledHints {
  const problems: HintProblem[] = [];
  const predicates: Predicate[] = [];
  const received = body.jsonPredicateHints !== undefined || (body.predicateHints?.length ?? 0) > 0;
  if (body.jsonPredicateHints !== undefined && config.evaluateJsonPredicateHints) {
    try {
      predicates.push(parseJsonPredicate(body.jsonPredicateHints));
    } catch (error) {
      problems.push({ hint: "jsonPredicateHints", reason: reason(error) });
    }
  }
  const sqlHints = body.predicateHints ?? [];
  const maxSqlHints = config.limits?.maxPredicateHints ?? 100;
  if (sqlHints.length > 0 && config.evaluatePredicateHints) {
    const parsed = parseSqlPredicates(sqlHints.slice(0, maxSqlHints));
    if (parsed.predicate) predicates.push(parsed.predicate);
    for (const skipped of parsed.skipped) problems.push({ hint: "predicateHints", reason: skipped.reason });
    if (sqlHints.length > maxSqlHints) {
      problems.push({ hint: "predicateHints", reason: `only the first ${maxSqlHints} hints are used` });
    }
  }
  const predicate = allOf(predicates);
  if (!predicate) return { problems, received };
  try {
    const pruner = compilePruner(
      predicate,
      snapshot.metadata.schemaString,
      snapshot.metadata.partitionColumns,
    );
    return { mightMatch: (file) => pruner.mightMatch(file), problems, received };
  } catch (error) {
    problems.push({
      hint: body.jsonPredicateHints !== undefined ? "jsonPredicateHints" : "predicateHints",
      reason: reason(error),
    });
    return { problems, received };
  }
}
