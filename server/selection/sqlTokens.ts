// Splitting one SQL predicate hint into tokens. Anything whose meaning differs between SQL
// dialects (backslash escapes, double-quoted text) is refused so the hint is skipped, not misread.

export type Token =
  | { kind: "word"; text: string; quoted: boolean }
  | { kind: "string"; text: string }
  | { kind: "number"; text: string; suffix: string }
  | { kind: "symbol"; text: string };

export class SqlSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SqlSyntaxError";
  }
}

const symbols = ["<=>", "<>", "!=", "<=", ">=", "==", "=", "<", ">", "(", ")", ",", ".", "-", "+"];
const wordStart = /[A-Za-z_]/;
const wordPart = /[A-Za-z0-9_]/;
const digit = /[0-9]/;

export function tokenize(text: string, maxTokens: number): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < text.length) {
    const char = text[at] as string;
    if (/\s/.test(char)) {
      at += 1;
      continue;
    }
    if (tokens.length >= maxTokens) throw new SqlSyntaxError(`more than ${maxTokens} tokens`);
    if (char === "'") {
      const [value, end] = readQuoted(text, at, "'");
      if (value.includes("\\")) throw new SqlSyntaxError("backslash escapes are ambiguous");
      tokens.push({ kind: "string", text: value });
      at = end;
    } else if (char === "`") {
      const [value, end] = readQuoted(text, at, "`");
      tokens.push({ kind: "word", text: value, quoted: true });
      at = end;
    } else if (char === '"') {
      throw new SqlSyntaxError("double quotes are ambiguous (identifier or string)");
    } else if (digit.test(char) || (char === "." && digit.test(text[at + 1] ?? ""))) {
      const match = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(at)) as RegExpExecArray;
      const number = match[0];
      at += number.length;
      let suffix = "";
      while (at < text.length && wordPart.test(text[at] as string)) suffix += text[at++];
      tokens.push({ kind: "number", text: number, suffix: suffix.toUpperCase() });
    } else if (wordStart.test(char)) {
      let word = "";
      while (at < text.length && wordPart.test(text[at] as string)) word += text[at++];
      tokens.push({ kind: "word", text: word, quoted: false });
    } else {
      const symbol = symbols.find((candidate) => text.startsWith(candidate, at));
      if (symbol === undefined) throw new SqlSyntaxError(`unexpected character ${JSON.stringify(char)}`);
      tokens.push({ kind: "symbol", text: symbol });
      at += symbol.length;
    }
  }
  return tokens;
}

// A doubled quote inside the quotes stands for one quote character.
function readQuoted(text: string, start: number, quote: string): [string, number] {
  let value = "";
  let at = start + 1;
  while (at < text.length) {
    const char = text[at] as string;
    if (char === quote) {
      if (text[at + 1] === quote) {
        value += quote;
        at += 2;
        continue;
      }
      return [value, at + 1];
    }
    value += char;
    at += 1;
  }
  throw new SqlSyntaxError("unterminated quote");
}
