// The partition filter language of a shared table: which partitions a recipient may see. A small
// SQL subset over partition columns, parsed here into a tree (never evaluated as code):
//   filter     := or
//   or         := and ("OR" and)*
//   and        := primary ("AND" primary)*
//   primary    := "(" or ")" | column test
//   test       := op value | "IN" "(" value ("," value)* ")" | "IS" ["NOT"] "NULL" | "LIKE" value
//   op         := "=" | "!=" | "<>" | "<" | "<=" | ">" | ">="
//   value      := 'text' | number | CURRENT_RECIPIENT('property')
// There is no NOT: every part of a filter can only narrow or widen the slice the way it reads.
import { SqlSyntaxError, type Token, tokenize } from "./sqlTokens.ts";

/** A value: text written in quotes, a number written bare, or a recipient property. */
export type FilterValue =
  | { kind: "text"; text: string }
  | { kind: "number"; text: string }
  | { kind: "property"; name: string };

export type Comparison = "=" | "!=" | "<" | "<=" | ">" | ">=";

export type FilterNode =
  | { op: "and"; children: FilterNode[] }
  | { op: "or"; children: FilterNode[] }
  | { op: "compare"; column: string; comparison: Comparison; value: FilterValue }
  | { op: "in"; column: string; values: FilterValue[] }
  | { op: "isNull" | "isNotNull"; column: string }
  | { op: "like"; column: string; pattern: FilterValue };

export class FilterSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FilterSyntaxError";
  }
}

const maxTokens = 1000;
const comparisons: Record<string, Comparison> = {
  "=": "=",
  "!=": "!=",
  "<>": "!=",
  "<": "<",
  "<=": "<=",
  ">": ">",
  ">=": ">=",
};

class Parser {
  readonly #tokens: Token[];
  #at = 0;

  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  parse(): FilterNode {
    const node = this.#or();
    const extra = this.#tokens[this.#at];
    if (extra) throw new FilterSyntaxError(`unexpected ${describe(extra)}`);
    return node;
  }

  #peek(): Token | undefined {
    return this.#tokens[this.#at];
  }

  #next(what: string): Token {
    const token = this.#tokens[this.#at++];
    if (!token) throw new FilterSyntaxError(`expected ${what}, found the end`);
    return token;
  }

  #keyword(word: string): boolean {
    const token = this.#peek();
    if (token?.kind !== "word" || token.quoted || token.text.toUpperCase() !== word) return false;
    this.#at++;
    return true;
  }

  #symbol(text: string): boolean {
    const token = this.#peek();
    if (token?.kind !== "symbol" || token.text !== text) return false;
    this.#at++;
    return true;
  }

  #expectSymbol(text: string): void {
    const token = this.#next(`'${text}'`);
    if (token.kind !== "symbol" || token.text !== text)
      throw new FilterSyntaxError(`expected '${text}', found ${describe(token)}`);
  }

  #or(): FilterNode {
    const children = [this.#and()];
    while (this.#keyword("OR")) children.push(this.#and());
    return children.length === 1 ? (children[0] as FilterNode) : { op: "or", children };
  }

  #and(): FilterNode {
    const children = [this.#primary()];
    while (this.#keyword("AND")) children.push(this.#primary());
    return children.length === 1 ? (children[0] as FilterNode) : { op: "and", children };
  }

  #primary(): FilterNode {
    if (this.#symbol("(")) {
      const inner = this.#or();
      this.#expectSymbol(")");
      return inner;
    }
    const token = this.#next("a partition column");
    if (token.kind !== "word" || (!token.quoted && reserved.has(token.text.toUpperCase())))
      throw new FilterSyntaxError(`expected a partition column, found ${describe(token)}`);
    return this.#test(token.text);
  }

  #test(column: string): FilterNode {
    if (this.#keyword("IN")) {
      this.#expectSymbol("(");
      const values = [this.#value()];
      while (this.#symbol(",")) values.push(this.#value());
      this.#expectSymbol(")");
      return { op: "in", column, values };
    }
    if (this.#keyword("IS")) {
      const negated = this.#keyword("NOT");
      if (!this.#keyword("NULL")) throw new FilterSyntaxError("expected NULL after IS");
      return { op: negated ? "isNotNull" : "isNull", column };
    }
    if (this.#keyword("LIKE")) return { op: "like", column, pattern: this.#value() };
    const token = this.#next("a comparison");
    const comparison = token.kind === "symbol" ? comparisons[token.text] : undefined;
    if (!comparison)
      throw new FilterSyntaxError(`expected a comparison after ${column}, found ${describe(token)}`);
    return { op: "compare", column, comparison, value: this.#value() };
  }

  #value(): FilterValue {
    const token = this.#next("a value");
    if (token.kind === "string") return { kind: "text", text: token.text };
    if (token.kind === "symbol" && token.text === "-") {
      const number = this.#next("a number");
      if (number.kind !== "number" || number.suffix !== "")
        throw new FilterSyntaxError(`expected a number after '-', found ${describe(number)}`);
      return { kind: "number", text: `-${number.text}` };
    }
    if (token.kind === "number" && token.suffix === "") return { kind: "number", text: token.text };
    if (token.kind === "word" && !token.quoted && token.text.toUpperCase() === "CURRENT_RECIPIENT") {
      this.#expectSymbol("(");
      const name = this.#next("a property name");
      if (name.kind !== "string")
        throw new FilterSyntaxError(
          `CURRENT_RECIPIENT takes a quoted property name, found ${describe(name)}`,
        );
      this.#expectSymbol(")");
      return { kind: "property", name: name.text };
    }
    throw new FilterSyntaxError(`expected a value, found ${describe(token)}`);
  }
}

const reserved = new Set(["AND", "OR", "IN", "IS", "NOT", "NULL", "LIKE", "CURRENT_RECIPIENT"]);

function describe(token: Token): string {
  if (token.kind === "string") return `'${token.text}'`;
  if (token.kind === "number") return `${token.text}${token.suffix}`;
  return token.kind === "word" && token.quoted ? `\`${token.text}\`` : `'${token.text}'`;
}

/** Parses a partition filter; throws FilterSyntaxError naming what is wrong. */
export function parsePartitionFilter(text: string): FilterNode {
  let tokens: Token[];
  try {
    tokens = tokenize(text, maxTokens);
  } catch (error) {
    if (error instanceof SqlSyntaxError) throw new FilterSyntaxError(error.message);
    throw error;
  }
  if (tokens.length === 0) throw new FilterSyntaxError("the filter is empty");
  return new Parser(tokens).parse();
}

/** Why a text is not a partition filter ("is not a partition filter: …"), or undefined when it is. */
export function partitionFilterSyntaxProblem(text: string): string | undefined {
  try {
    parsePartitionFilter(text);
    return undefined;
  } catch (error) {
    if (error instanceof FilterSyntaxError) return `is not a partition filter: ${error.message}`;
    throw error;
  }
}
