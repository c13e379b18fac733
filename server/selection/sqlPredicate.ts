// `predicateHints`: SQL boolean expressions in the protocol's small subset (comparisons of a column
// with a constant, IS [NOT] NULL), AND-ed together. Also read: AND/OR/NOT and parentheses inside a
// hint, IN lists, Spark's typed and suffixed literals and backquoted names, which is what Spark's
// Expression.sql prints. A hint that cannot be read is skipped and reported, never fatal.
import { allOf, type ComparisonOp, type Leaf, type Literal, type Predicate } from "./predicate.ts";
import { SqlSyntaxError, type Token, tokenize } from "./sqlTokens.ts";
import { isInt64Text, parseDateText, parseTimestampText } from "./valueText.ts";

export interface SqlPredicateLimits {
  maxHintLength: number;
  maxDepth: number;
  maxNodes: number;
  maxInList: number;
}

export const defaultSqlPredicateLimits: SqlPredicateLimits = {
  maxHintLength: 10_000,
  maxDepth: 64,
  maxNodes: 10_000,
  maxInList: 100,
};

export interface SkippedHint {
  hint: string;
  reason: string;
}

export interface SqlPredicates {
  // Undefined when no hint could be read: nothing to filter on.
  predicate: Predicate | undefined;
  skipped: SkippedHint[];
}

export function parseSqlPredicates(
  hints: readonly string[],
  limits: SqlPredicateLimits = defaultSqlPredicateLimits,
): SqlPredicates {
  const parsed: Predicate[] = [];
  const skipped: SkippedHint[] = [];
  const budget = { nodes: 0 };
  for (const hint of hints) {
    if (typeof hint !== "string") {
      skipped.push({ hint: String(hint), reason: "hint is not a string" });
      continue;
    }
    try {
      if (hint.length > limits.maxHintLength) {
        throw new SqlSyntaxError(`hint is longer than ${limits.maxHintLength} characters`);
      }
      parsed.push(new HintParser(hint, limits, budget).parse());
    } catch (error) {
      if (!(error instanceof SqlSyntaxError)) throw error;
      skipped.push({ hint, reason: error.message });
    }
  }
  return { predicate: allOf(parsed), skipped };
}

const comparisonSymbols: Record<string, { op: ComparisonOp; negate: boolean }> = {
  "=": { op: "equal", negate: false },
  "==": { op: "equal", negate: false },
  "<>": { op: "equal", negate: true },
  "!=": { op: "equal", negate: true },
  "<": { op: "lessThan", negate: false },
  "<=": { op: "lessThanOrEqual", negate: false },
  ">": { op: "greaterThan", negate: false },
  ">=": { op: "greaterThanOrEqual", negate: false },
};

class HintParser {
  private readonly tokens: Token[];
  private readonly limits: SqlPredicateLimits;
  private readonly budget: { nodes: number };
  private at = 0;
  private depth = 0;

  constructor(hint: string, limits: SqlPredicateLimits, budget: { nodes: number }) {
    this.tokens = tokenize(hint, limits.maxHintLength);
    this.limits = limits;
    this.budget = budget;
  }

  parse(): Predicate {
    if (this.tokens.length === 0) throw new SqlSyntaxError("empty hint");
    const predicate = this.orExpression();
    const rest = this.peek();
    if (rest !== undefined) throw new SqlSyntaxError(`unexpected ${describe(rest)}`);
    return predicate;
  }

  private orExpression(): Predicate {
    return this.nested(() => {
      const children = [this.andExpression()];
      while (this.acceptKeyword("OR")) children.push(this.andExpression());
      return children.length === 1 ? (children[0] as Predicate) : this.node({ op: "or", children });
    });
  }

  private andExpression(): Predicate {
    const children = [this.notExpression()];
    while (this.acceptKeyword("AND")) children.push(this.notExpression());
    return children.length === 1 ? (children[0] as Predicate) : this.node({ op: "and", children });
  }

  private notExpression(): Predicate {
    if (this.acceptKeyword("NOT"))
      return this.nested(() => this.node({ op: "not", child: this.notExpression() }));
    if (this.acceptSymbol("(")) {
      const inner = this.orExpression();
      this.expectSymbol(")");
      return inner;
    }
    return this.condition();
  }

  private condition(): Predicate {
    const left = this.operand();
    if (this.acceptKeyword("IS")) {
      const negate = this.acceptKeyword("NOT");
      this.expectKeyword("NULL");
      const isNull = this.node({ op: "isNull", child: left });
      return negate ? this.node({ op: "not", child: isNull }) : isNull;
    }
    const notIn = this.acceptKeyword("NOT");
    if (this.acceptKeyword("IN")) return this.inList(left, notIn);
    if (notIn) throw new SqlSyntaxError("expected IN after NOT");
    const token = this.next();
    const comparison = token?.kind === "symbol" ? comparisonSymbols[token.text] : undefined;
    if (comparison === undefined) throw new SqlSyntaxError(`expected a comparison, found ${describe(token)}`);
    const predicate = this.node({ op: comparison.op, left, right: this.operand() });
    return comparison.negate ? this.node({ op: "not", child: predicate }) : predicate;
  }

  private inList(left: Leaf, negate: boolean): Predicate {
    this.expectSymbol("(");
    const children: Predicate[] = [];
    do {
      if (children.length >= this.limits.maxInList) {
        throw new SqlSyntaxError(`IN list longer than ${this.limits.maxInList}`);
      }
      children.push(this.node({ op: "equal", left, right: this.operand() }));
    } while (this.acceptSymbol(","));
    this.expectSymbol(")");
    const any = children.length === 1 ? (children[0] as Predicate) : this.node({ op: "or", children });
    return negate ? this.node({ op: "not", child: any }) : any;
  }

  private operand(): Leaf {
    const token = this.next();
    if (token === undefined) throw new SqlSyntaxError("unexpected end of hint");
    if (token.kind === "string") return literal(token.text, "string");
    if (token.kind === "number") return numberLiteral(token.text, token.suffix, false);
    if (token.kind === "symbol" && (token.text === "-" || token.text === "+")) {
      const number = this.next();
      if (number?.kind !== "number") throw new SqlSyntaxError(`expected a number after ${token.text}`);
      return numberLiteral(number.text, number.suffix, token.text === "-");
    }
    if (token.kind !== "word") throw new SqlSyntaxError(`unexpected ${describe(token)}`);
    if (!token.quoted) {
      const keyword = token.text.toUpperCase();
      if (keyword === "TRUE" || keyword === "FALSE") return literal(keyword.toLowerCase(), "bool");
      if (keyword === "NULL") throw new SqlSyntaxError("comparison with NULL is never true");
      const typed = this.peek();
      if ((keyword === "DATE" || keyword === "TIMESTAMP") && typed?.kind === "string") {
        this.at += 1;
        return typedLiteral(keyword, typed.text);
      }
      if (isReserved(keyword)) throw new SqlSyntaxError(`unexpected ${keyword}`);
    }
    const parts = [token.text];
    while (this.acceptSymbol(".")) {
      const part = this.next();
      if (part?.kind !== "word") throw new SqlSyntaxError("expected a name after '.'");
      parts.push(part.text);
    }
    const name = parts.pop() as string;
    return parts.length > 0 ? { op: "column", name, qualifiers: parts } : { op: "column", name };
  }

  private node<T extends Predicate>(predicate: T): T {
    this.budget.nodes += 1;
    if (this.budget.nodes > this.limits.maxNodes) {
      throw new SqlSyntaxError(`hints have more than ${this.limits.maxNodes} operations`);
    }
    return predicate;
  }

  private nested<T>(parse: () => T): T {
    this.depth += 1;
    if (this.depth > this.limits.maxDepth)
      throw new SqlSyntaxError(`nested deeper than ${this.limits.maxDepth}`);
    try {
      return parse();
    } finally {
      this.depth -= 1;
    }
  }

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  private next(): Token | undefined {
    const token = this.tokens[this.at];
    if (token !== undefined) this.at += 1;
    return token;
  }

  private acceptKeyword(keyword: string): boolean {
    const token = this.peek();
    if (token?.kind === "word" && !token.quoted && token.text.toUpperCase() === keyword) {
      this.at += 1;
      return true;
    }
    return false;
  }

  private expectKeyword(keyword: string): void {
    if (!this.acceptKeyword(keyword))
      throw new SqlSyntaxError(`expected ${keyword}, found ${describe(this.peek())}`);
  }

  private acceptSymbol(symbol: string): boolean {
    const token = this.peek();
    if (token?.kind === "symbol" && token.text === symbol) {
      this.at += 1;
      return true;
    }
    return false;
  }

  private expectSymbol(symbol: string): void {
    if (!this.acceptSymbol(symbol))
      throw new SqlSyntaxError(`expected '${symbol}', found ${describe(this.peek())}`);
  }
}

const reserved = new Set(["AND", "OR", "NOT", "IS", "IN", "NULL", "TRUE", "FALSE"]);

function isReserved(keyword: string): boolean {
  return reserved.has(keyword);
}

function literal(value: string, valueType: Literal["valueType"]): Literal {
  return { op: "literal", value, valueType };
}

// Spark's literal suffixes: L bigint, S smallint, Y tinyint, D double, F float, BD decimal.
function numberLiteral(text: string, suffix: string, negative: boolean): Literal {
  const value = negative ? `-${text}` : text;
  const integral = /^\d+$/.test(text);
  switch (suffix) {
    case "":
      return integral && isInt64Text(value) ? literal(value, "long") : literal(value, "double");
    case "L":
    case "S":
    case "Y":
      if (!integral || !isInt64Text(value)) throw new SqlSyntaxError(`${value}${suffix} is not an integer`);
      return literal(value, "long");
    case "D":
    case "BD":
      return literal(value, "double");
    case "F":
      return literal(value, "float");
    default:
      throw new SqlSyntaxError(`unknown number suffix ${suffix}`);
  }
}

function typedLiteral(keyword: string, text: string): Literal {
  if (keyword === "DATE") {
    if (parseDateText(text) === undefined) throw new SqlSyntaxError(`${JSON.stringify(text)} is not a date`);
    return literal(text, "date");
  }
  if (parseTimestampText(text, { allowDateOnly: true }) === undefined) {
    throw new SqlSyntaxError(`${JSON.stringify(text)} is not a timestamp`);
  }
  return literal(text, "timestamp");
}

function describe(token: Token | undefined): string {
  if (token === undefined) return "end of hint";
  const text = token.kind === "string" ? `'${token.text}'` : token.text;
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
