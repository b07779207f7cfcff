/**
 * A small, safe language for success and failure conditions on a metric
 * value, in the spirit of Argo Rollouts' `successCondition` — parsed, never
 * evaluated as code.
 *
 *   condition  := or
 *   or         := and (("||" | "or") and)*
 *   and        := unary (("&&" | "and") unary)*
 *   unary      := ("!" | "not") unary | "(" or ")" | comparison
 *   comparison := operand ("<" | "<=" | ">" | ">=" | "==" | "!=") operand
 *   operand    := "result" | number            (number: -1, 0.05, 1e-3)
 *
 * Examples: `result < 0.05`, `result >= 0.95 && result <= 1`, `!(result > 3)`.
 */

export type ComparisonOperator = "<" | "<=" | ">" | ">=" | "==" | "!=";

export type Operand = { readonly kind: "result" } | { readonly kind: "number"; readonly value: number };

export type Condition =
  | { readonly kind: "compare"; readonly op: ComparisonOperator; readonly left: Operand; readonly right: Operand }
  | { readonly kind: "and" | "or"; readonly left: Condition; readonly right: Condition }
  | { readonly kind: "not"; readonly operand: Condition };

export class ConditionSyntaxError extends Error {
  constructor(
    readonly source: string,
    readonly position: number,
    detail: string,
  ) {
    super(`${detail} at position ${position} in condition "${source}"`);
    this.name = "ConditionSyntaxError";
  }
}

type Token =
  | { readonly kind: "number"; readonly value: number; readonly at: number }
  | { readonly kind: "result"; readonly at: number }
  | { readonly kind: "op"; readonly op: ComparisonOperator; readonly at: number }
  | { readonly kind: "and" | "or" | "not" | "(" | ")"; readonly at: number }
  | { readonly kind: "end"; readonly at: number };

const MAX_SOURCE_LENGTH = 500;
const NUMBER = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;
const WORD = /^[A-Za-z_][A-Za-z0-9_]*/;
const SYMBOLS: ReadonlyArray<readonly [string, Token["kind"], ComparisonOperator?]> = [
  ["<=", "op", "<="],
  [">=", "op", ">="],
  ["==", "op", "=="],
  ["!=", "op", "!="],
  ["&&", "and"],
  ["||", "or"],
  ["<", "op", "<"],
  [">", "op", ">"],
  ["!", "not"],
  ["(", "("],
  [")", ")"],
];
const KEYWORDS: Readonly<Record<string, Token["kind"]>> = { result: "result", and: "and", or: "or", not: "not" };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < source.length) {
    const rest = source.slice(at);
    const space = /^\s+/.exec(rest);
    if (space) {
      at += space[0].length;
      continue;
    }
    const number = NUMBER.exec(rest);
    // A leading "-" is a sign only where an operand may start.
    const previous = tokens[tokens.length - 1];
    const operandExpected = previous === undefined || !["number", "result", ")"].includes(previous.kind);
    if (number && (operandExpected || !rest.startsWith("-"))) {
      tokens.push({ kind: "number", value: Number(number[0]), at });
      at += number[0].length;
      continue;
    }
    const word = WORD.exec(rest);
    if (word) {
      const kind = KEYWORDS[word[0]];
      if (kind === undefined) throw new ConditionSyntaxError(source, at, `unknown name "${word[0]}" (only \`result\` is defined)`);
      tokens.push({ kind, at } as Token);
      at += word[0].length;
      continue;
    }
    const symbol = SYMBOLS.find(([text]) => rest.startsWith(text));
    if (!symbol) throw new ConditionSyntaxError(source, at, `unexpected character "${rest[0]}"`);
    const [text, kind, op] = symbol;
    tokens.push(kind === "op" ? { kind, op: op as ComparisonOperator, at } : ({ kind, at } as Token));
    at += text.length;
  }
  tokens.push({ kind: "end", at });
  return tokens;
}

class Parser {
  private index = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: readonly Token[],
  ) {}

  parse(): Condition {
    const condition = this.or();
    const next = this.peek();
    if (next.kind !== "end") this.fail(next, `unexpected "${this.describe(next)}"`);
    return condition;
  }

  private or(): Condition {
    let left = this.and();
    while (this.peek().kind === "or") {
      this.index++;
      left = { kind: "or", left, right: this.and() };
    }
    return left;
  }

  private and(): Condition {
    let left = this.unary();
    while (this.peek().kind === "and") {
      this.index++;
      left = { kind: "and", left, right: this.unary() };
    }
    return left;
  }

  private unary(): Condition {
    const token = this.peek();
    if (token.kind === "not") {
      this.index++;
      return { kind: "not", operand: this.unary() };
    }
    if (token.kind === "(") {
      this.index++;
      const inner = this.or();
      const close = this.peek();
      if (close.kind !== ")") this.fail(close, `expected ")" but found "${this.describe(close)}"`);
      this.index++;
      return inner;
    }
    return this.comparison();
  }

  private comparison(): Condition {
    const left = this.operand();
    const op = this.peek();
    if (op.kind !== "op") return this.fail(op, `expected a comparison operator but found "${this.describe(op)}"`);
    this.index++;
    return { kind: "compare", op: op.op, left, right: this.operand() };
  }

  private operand(): Operand {
    const token = this.peek();
    if (token.kind === "result") {
      this.index++;
      return { kind: "result" };
    }
    if (token.kind === "number") {
      this.index++;
      return { kind: "number", value: token.value };
    }
    return this.fail(token, `expected \`result\` or a number but found "${this.describe(token)}"`);
  }

  private peek(): Token {
    // The token list always ends with "end", and the parser never moves past it.
    return this.tokens[Math.min(this.index, this.tokens.length - 1)]!;
  }

  private describe(token: Token): string {
    if (token.kind === "end") return "end of condition";
    if (token.kind === "number") return String(token.value);
    if (token.kind === "op") return token.op;
    return token.kind;
  }

  private fail(token: Token, detail: string): never {
    throw new ConditionSyntaxError(this.source, token.at, detail);
  }
}

function mentionsResult(condition: Condition): boolean {
  switch (condition.kind) {
    case "compare":
      return condition.left.kind === "result" || condition.right.kind === "result";
    case "not":
      return mentionsResult(condition.operand);
    case "and":
    case "or":
      return mentionsResult(condition.left) || mentionsResult(condition.right);
  }
}

/** Parses a condition; throws `ConditionSyntaxError` naming the position of the problem. */
export function parseCondition(source: string): Condition {
  if (source.length > MAX_SOURCE_LENGTH) {
    throw new ConditionSyntaxError(source.slice(0, 40) + "…", MAX_SOURCE_LENGTH, `condition longer than ${MAX_SOURCE_LENGTH} characters`);
  }
  const condition = new Parser(source, tokenize(source)).parse();
  if (!mentionsResult(condition)) throw new ConditionSyntaxError(source, 0, "condition never mentions `result`");
  return condition;
}

function operandValue(operand: Operand, result: number): number {
  return operand.kind === "result" ? result : operand.value;
}

const COMPARE: Readonly<Record<ComparisonOperator, (a: number, b: number) => boolean>> = {
  "<": (a, b) => a < b,
  "<=": (a, b) => a <= b,
  ">": (a, b) => a > b,
  ">=": (a, b) => a >= b,
  "==": (a, b) => a === b,
  "!=": (a, b) => a !== b,
};

/** Evaluates a parsed condition for one value. NaN compares false with everything but `!=`. */
export function evaluateCondition(condition: Condition, result: number): boolean {
  switch (condition.kind) {
    case "compare":
      return COMPARE[condition.op](operandValue(condition.left, result), operandValue(condition.right, result));
    case "not":
      return !evaluateCondition(condition.operand, result);
    case "and":
      return evaluateCondition(condition.left, result) && evaluateCondition(condition.right, result);
    case "or":
      return evaluateCondition(condition.left, result) || evaluateCondition(condition.right, result);
  }
}
