// IAM's documented evaluation of one identity-based (or session) policy, for the requests the
// session policy concerns, written from the IAM User Guide so the policy can be checked on paper:
// - an explicit Deny wins, else any matching Allow allows, else the request is implicitly denied;
// - Action matches case-insensitively, with `*` (any run) and `?` (one character);
// - Resource matches case-sensitively with the same wildcards, which cross `/`;
// - the policy variables ${*}, ${?} and ${$} stand for the characters themselves, not wildcards;
// - conditions: every operator and key must hold; a key with several values holds if any does;
//   StringLike is case-sensitive with `*` and `?`; a key absent from the request fails (no IfExists).
// A session's permissions are this evaluation of the role's policies AND of the session policy.

export interface IamRequest {
  action: string;
  resource: string;
  context?: Record<string, string>;
}

interface Statement {
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface Policy {
  Version: string;
  Statement: Statement[];
}

const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);
const regexLiteral = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A policy pattern as a regular expression: wildcards, and the special-character variables. */
export function patternOf(pattern: string, flags = ""): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const variable = /^\$\{([*?$])\}/.exec(pattern.slice(i));
    if (variable) {
      source += regexLiteral(variable[1] as string);
      i += variable[0].length - 1;
    } else if (pattern[i] === "*") source += "[\\s\\S]*";
    else if (pattern[i] === "?") source += "[\\s\\S]";
    else source += regexLiteral(pattern[i] as string);
  }
  return new RegExp(`^${source}$`, flags);
}

function conditionHolds(condition: Statement["Condition"], context: Record<string, string>): boolean {
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    if (operator !== "StringLike") throw new Error(`operator ${operator} is not modelled`);
    for (const [key, values] of Object.entries(keys)) {
      const actual = context[key];
      if (actual === undefined) return false;
      if (!list(values).some((value) => patternOf(value).test(actual))) return false;
    }
  }
  return true;
}

function matches(statement: Statement, request: IamRequest): boolean {
  return (
    list(statement.Action).some((action) => patternOf(action, "i").test(request.action)) &&
    list(statement.Resource).some((resource) => patternOf(resource).test(request.resource)) &&
    conditionHolds(statement.Condition, request.context ?? {})
  );
}

export function isAllowed(policy: Policy, request: IamRequest): boolean {
  const matching = policy.Statement.filter((statement) => matches(statement, request));
  if (matching.some((statement) => statement.Effect === "Deny")) return false;
  return matching.some((statement) => statement.Effect === "Allow");
}
