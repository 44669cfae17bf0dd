/**
 * Parser for the OData $filter subset Dataverse clients use: comparisons (eq ne gt ge lt le),
 * and / or / not with parentheses, contains / startswith / endswith, null, booleans, numbers,
 * 'strings' ('' escapes a quote), GUIDs and date / date-time literals. It produces a small AST that
 * the query engine evaluates; property names are checked against the table there, not here.
 */
import { badQuery } from "./odata-error";

export type ComparisonOperator = "eq" | "ne" | "gt" | "ge" | "lt" | "le";
export type StringFunction = "contains" | "startswith" | "endswith";

export type Literal =
  | { kind: "literal"; type: "string"; value: string }
  | { kind: "literal"; type: "number"; value: number }
  | { kind: "literal"; type: "boolean"; value: boolean }
  | { kind: "literal"; type: "null"; value: null }
  | { kind: "literal"; type: "guid"; value: string }
  | { kind: "literal"; type: "datetime"; value: string };

export type Operand = { kind: "property"; name: string } | Literal;

export type FilterExpression =
  | { kind: "and" | "or"; left: FilterExpression; right: FilterExpression }
  | { kind: "not"; operand: FilterExpression }
  | { kind: "compare"; operator: ComparisonOperator; left: Operand; right: Operand }
  | { kind: "call"; name: StringFunction; property: Operand; argument: Operand };

type Token =
  | { type: "(" | ")" | "," }
  | { type: "word"; text: string }
  | { type: "literal"; literal: Literal };

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/;
const DATETIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?/;
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?[mMdDfFlL]?/;
const WORD = /^[A-Za-z_][A-Za-z0-9_./]*/;
const COMPARISONS = new Set(["eq", "ne", "gt", "ge", "lt", "le"]);
const FUNCTIONS = new Set(["contains", "startswith", "endswith"]);

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let rest = input;
  while (rest.length > 0) {
    const first = rest.charAt(0);
    if (/\s/.test(first)) {
      rest = rest.slice(1);
      continue;
    }
    if (first === "(" || first === ")" || first === ",") {
      tokens.push({ type: first });
      rest = rest.slice(1);
      continue;
    }
    if (first === "'") {
      let value = "";
      let i = 1;
      for (;;) {
        if (i >= rest.length) throw badQuery(`Syntax error: unterminated string literal in $filter '${input}'.`);
        const ch = rest.charAt(i);
        if (ch === "'") {
          if (rest.charAt(i + 1) === "'") {
            value += "'";
            i += 2;
            continue;
          }
          break;
        }
        value += ch;
        i += 1;
      }
      tokens.push({ type: "literal", literal: { kind: "literal", type: "string", value } });
      rest = rest.slice(i + 1);
      continue;
    }
    const guid = GUID.exec(rest);
    if (guid) {
      tokens.push({ type: "literal", literal: { kind: "literal", type: "guid", value: guid[0].toLowerCase() } });
      rest = rest.slice(guid[0].length);
      continue;
    }
    const date = DATETIME.exec(rest);
    if (date) {
      tokens.push({ type: "literal", literal: { kind: "literal", type: "datetime", value: date[0] } });
      rest = rest.slice(date[0].length);
      continue;
    }
    const number = NUMBER.exec(rest);
    if (number) {
      tokens.push({ type: "literal", literal: { kind: "literal", type: "number", value: Number.parseFloat(number[0]) } });
      rest = rest.slice(number[0].length);
      continue;
    }
    const word = WORD.exec(rest);
    if (word) {
      const text = word[0];
      if (text === "null") tokens.push({ type: "literal", literal: { kind: "literal", type: "null", value: null } });
      else if (text === "true" || text === "false") tokens.push({ type: "literal", literal: { kind: "literal", type: "boolean", value: text === "true" } });
      else tokens.push({ type: "word", text });
      rest = rest.slice(text.length);
      continue;
    }
    throw badQuery(`Syntax error at position ${input.length - rest.length} in '${input}'.`);
  }
  return tokens;
}

class Parser {
  private position = 0;
  constructor(private readonly tokens: Token[], private readonly source: string) {}

  parse(): FilterExpression {
    const expression = this.or();
    if (this.position < this.tokens.length) this.fail("unexpected token after the end of the expression");
    return expression;
  }

  private fail(reason: string): never {
    throw badQuery(`Syntax error in $filter '${this.source}': ${reason}.`);
  }

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private next(): Token {
    const token = this.tokens[this.position];
    if (!token) this.fail("unexpected end of expression");
    this.position += 1;
    return token;
  }

  private isWord(text: string): boolean {
    const token = this.peek();
    return token?.type === "word" && token.text === text;
  }

  private expect(type: "(" | ")" | ","): void {
    if (this.next().type !== type) this.fail(`'${type}' expected`);
  }

  private or(): FilterExpression {
    let left = this.and();
    while (this.isWord("or")) {
      this.position += 1;
      left = { kind: "or", left, right: this.and() };
    }
    return left;
  }

  private and(): FilterExpression {
    let left = this.unary();
    while (this.isWord("and")) {
      this.position += 1;
      left = { kind: "and", left, right: this.unary() };
    }
    return left;
  }

  private unary(): FilterExpression {
    if (this.isWord("not")) {
      this.position += 1;
      return { kind: "not", operand: this.unary() };
    }
    const token = this.peek();
    if (token?.type === "(") {
      this.position += 1;
      const inner = this.or();
      this.expect(")");
      return inner;
    }
    if (token?.type === "word" && FUNCTIONS.has(token.text) && this.tokens[this.position + 1]?.type === "(") {
      this.position += 2;
      const property = this.operand();
      this.expect(",");
      const argument = this.operand();
      this.expect(")");
      return { kind: "call", name: token.text as StringFunction, property, argument };
    }
    const left = this.operand();
    const operator = this.next();
    if (operator.type !== "word" || !COMPARISONS.has(operator.text)) this.fail("comparison operator expected");
    const right = this.operand();
    return { kind: "compare", operator: operator.text as ComparisonOperator, left, right };
  }

  private operand(): Operand {
    const token = this.next();
    if (token.type === "literal") return token.literal;
    if (token.type === "word") return { kind: "property", name: token.text };
    return this.fail(`operand expected, found '${token.type}'`);
  }
}

export function parseFilter(input: string): FilterExpression {
  return new Parser(tokenize(input), input).parse();
}

/** Property names used anywhere in an expression, for validation against the table. */
export function filterProperties(expression: FilterExpression): string[] {
  switch (expression.kind) {
    case "and":
    case "or":
      return [...filterProperties(expression.left), ...filterProperties(expression.right)];
    case "not":
      return filterProperties(expression.operand);
    case "compare":
    case "call": {
      const operands = expression.kind === "compare" ? [expression.left, expression.right] : [expression.property, expression.argument];
      return operands.flatMap((operand) => (operand.kind === "property" ? [operand.name] : []));
    }
  }
}
