/**
 * The subset of OData v4 `$filter` the Partner Center docs show (reference §1.4): comparisons
 * eq/ne/gt/ge/lt/le on property paths (`customerProfile/address/country`), `and`/`or`/`not`,
 * parentheses, and the lambda `team/any(t:t/email eq '...')`.
 *
 * Parsed once into a tree and evaluated per referral. A syntax error throws ODataFilterError, which the
 * route turns into 400 invalidRequest, as a malformed query does on the real service.
 */

export class ODataFilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ODataFilterError";
  }
}

type Literal = string | number | boolean | null;
type ComparisonOp = "eq" | "ne" | "gt" | "ge" | "lt" | "le";

export type FilterNode =
  | { kind: "and" | "or"; left: FilterNode; right: FilterNode }
  | { kind: "not"; operand: FilterNode }
  | { kind: "compare"; op: ComparisonOp; path: string[]; value: Literal }
  | { kind: "any"; path: string[]; variable: string; predicate: FilterNode };

type Token =
  | { type: "word"; text: string }
  | { type: "string"; text: string }
  | { type: "number"; value: number }
  | { type: "datetime"; text: string }
  | { type: "punct"; text: "(" | ")" | ":" | "," };

const DATETIME_LITERAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})/;

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "(" || ch === ")" || ch === ":" || ch === ",") {
      tokens.push({ type: "punct", text: ch });
      i++;
    } else if (ch === "'") {
      // OData escapes a quote inside a string by doubling it.
      let text = "";
      i++;
      for (;;) {
        if (i >= input.length) throw new ODataFilterError("unterminated string literal in $filter");
        if (input[i] === "'") {
          if (input[i + 1] === "'") {
            text += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += input[i];
        i++;
      }
      tokens.push({ type: "string", text });
    } else {
      const rest = input.slice(i);
      const date = DATETIME_LITERAL.exec(rest);
      if (date) {
        tokens.push({ type: "datetime", text: date[0] });
        i += date[0].length;
        continue;
      }
      const number = /^-?\d+(\.\d+)?/.exec(rest);
      if (number) {
        tokens.push({ type: "number", value: Number(number[0]) });
        i += number[0].length;
        continue;
      }
      const word = /^[A-Za-z_][A-Za-z0-9_./]*/.exec(rest);
      if (!word) throw new ODataFilterError(`unexpected character '${ch}' at position ${i} in $filter`);
      tokens.push({ type: "word", text: word[0] });
      i += word[0].length;
    }
  }
  return tokens;
}

const COMPARISON_OPS = new Set<string>(["eq", "ne", "gt", "ge", "lt", "le"]);

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): FilterNode {
    const node = this.parseOr();
    if (this.pos < this.tokens.length) throw new ODataFilterError(`unexpected '${describe(this.tokens[this.pos]!)}' in $filter`);
    return node;
  }

  private peekWord(text: string): boolean {
    const token = this.tokens[this.pos];
    return token?.type === "word" && token.text.toLowerCase() === text;
  }

  private expectPunct(text: string): void {
    const token = this.tokens[this.pos];
    if (token?.type !== "punct" || token.text !== text) {
      throw new ODataFilterError(`expected '${text}' in $filter${token ? ` but found '${describe(token)}'` : " but it ended"}`);
    }
    this.pos++;
  }

  private parseOr(): FilterNode {
    let left = this.parseAnd();
    while (this.peekWord("or")) {
      this.pos++;
      left = { kind: "or", left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): FilterNode {
    let left = this.parseUnary();
    while (this.peekWord("and")) {
      this.pos++;
      left = { kind: "and", left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): FilterNode {
    if (this.peekWord("not")) {
      this.pos++;
      return { kind: "not", operand: this.parseUnary() };
    }
    const token = this.tokens[this.pos];
    if (token?.type === "punct" && token.text === "(") {
      this.pos++;
      const inner = this.parseOr();
      this.expectPunct(")");
      return inner;
    }
    return this.parseComparisonOrAny();
  }

  private parseComparisonOrAny(): FilterNode {
    const token = this.tokens[this.pos];
    if (token?.type !== "word") {
      throw new ODataFilterError(token ? `expected a property name in $filter but found '${describe(token)}'` : "$filter ended early");
    }
    this.pos++;
    const segments = token.text.split("/");
    if (segments.at(-1) === "any") {
      // team/any(t:t/email eq 'x')
      this.expectPunct("(");
      const variable = this.tokens[this.pos];
      if (variable?.type !== "word") throw new ODataFilterError("expected a lambda variable after any(");
      this.pos++;
      this.expectPunct(":");
      const predicate = this.parseOr();
      this.expectPunct(")");
      return { kind: "any", path: segments.slice(0, -1), variable: variable.text, predicate };
    }
    const opToken = this.tokens[this.pos];
    if (opToken?.type !== "word" || !COMPARISON_OPS.has(opToken.text.toLowerCase())) {
      throw new ODataFilterError(`expected eq, ne, gt, ge, lt or le after '${token.text}' in $filter`);
    }
    this.pos++;
    const valueToken = this.tokens[this.pos];
    this.pos++;
    return { kind: "compare", op: opToken.text.toLowerCase() as ComparisonOp, path: segments, value: literalOf(valueToken) };
  }
}

function describe(token: Token): string {
  switch (token.type) {
    case "number":
      return String(token.value);
    default:
      return token.text;
  }
}

function literalOf(token: Token | undefined): Literal {
  if (!token) throw new ODataFilterError("$filter ended where a value was expected");
  switch (token.type) {
    case "string":
    case "datetime":
      return token.text;
    case "number":
      return token.value;
    case "word": {
      const lower = token.text.toLowerCase();
      if (lower === "true") return true;
      if (lower === "false") return false;
      if (lower === "null") return null;
      throw new ODataFilterError(`expected a value but found '${token.text}' in $filter (quote strings: '${token.text}')`);
    }
    default:
      throw new ODataFilterError(`expected a value but found '${token.text}' in $filter`);
  }
}

export function parseODataFilter(filter: string): FilterNode {
  return new Parser(tokenize(filter)).parse();
}

function resolvePath(scope: Record<string, unknown>, root: unknown, path: string[]): unknown {
  let current: unknown = root;
  let segments = path;
  // A lambda variable (t/email) starts from the bound element, not from the referral.
  if (path.length > 0 && path[0]! in scope) {
    current = scope[path[0]!];
    segments = path.slice(1);
  }
  for (const segment of segments) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T/;

function compare(left: unknown, op: ComparisonOp, right: Literal): boolean {
  const actual = left === undefined ? null : left;
  if (op === "eq") return equals(actual, right);
  if (op === "ne") return !equals(actual, right);
  if (actual === null || right === null) return false;
  let a: number | string;
  let b: number | string;
  if (typeof actual === "string" && typeof right === "string" && ISO_DATE.test(actual) && ISO_DATE.test(right)) {
    // Date-times compare as instants, whatever their precision or offset.
    a = Date.parse(actual);
    b = Date.parse(right);
  } else if (typeof actual === "number" && typeof right === "number") {
    a = actual;
    b = right;
  } else if (typeof actual === "string" && typeof right === "string") {
    a = actual;
    b = right;
  } else {
    return false;
  }
  switch (op) {
    case "gt":
      return a > b;
    case "ge":
      return a >= b;
    case "lt":
      return a < b;
    case "le":
      return a <= b;
  }
}

function equals(actual: unknown, expected: Literal): boolean {
  if (typeof actual === "string" && typeof expected === "string" && ISO_DATE.test(actual) && ISO_DATE.test(expected)) {
    return Date.parse(actual) === Date.parse(expected);
  }
  // Partner Center string comparisons are case-insensitive for enum values in practice [I]; we keep
  // them exact so a wrong-case filter in our code shows up in tests instead of passing silently.
  return actual === expected;
}

function evaluate(node: FilterNode, root: unknown, scope: Record<string, unknown>): boolean {
  switch (node.kind) {
    case "and":
      return evaluate(node.left, root, scope) && evaluate(node.right, root, scope);
    case "or":
      return evaluate(node.left, root, scope) || evaluate(node.right, root, scope);
    case "not":
      return !evaluate(node.operand, root, scope);
    case "compare":
      return compare(resolvePath(scope, root, node.path), node.op, node.value);
    case "any": {
      const collection = resolvePath(scope, root, node.path);
      if (!Array.isArray(collection)) return false;
      return collection.some((item) => evaluate(node.predicate, root, { ...scope, [node.variable]: item }));
    }
  }
}

export function matchesFilter(node: FilterNode, item: unknown): boolean {
  return evaluate(node, item, {});
}

/** True when the filter pins `engagementId eq '...'` at the top level (an and-chain), see the store. */
export function pinnedEngagementId(node: FilterNode | undefined): string | undefined {
  if (!node) return undefined;
  if (node.kind === "compare" && node.op === "eq" && node.path.length === 1 && node.path[0] === "engagementId" && typeof node.value === "string") {
    return node.value;
  }
  if (node.kind === "and") return pinnedEngagementId(node.left) ?? pinnedEngagementId(node.right);
  return undefined;
}
