/**
 * The part of GitHub Actions' expression language the shipped workflows use: literals (strings in
 * single quotes, numbers, true/false/null), context paths (`inputs.x`, `needs.a.result`, `secrets.X`),
 * `==`, `!=`, `&&`, `||`, `!`, parentheses, and the status functions `always()`, `success()`,
 * `failure()`, `cancelled()`. Anything else throws: a workflow must not pass because the runner
 * did not understand it.
 */

export type Value = string | number | boolean | null | { readonly [key: string]: Value };

export interface ExpressionContext {
  readonly contexts: Readonly<Record<string, Value>>;
  /** The job's status so far, for success()/failure(): false once a step or a needed job failed. */
  readonly succeeded: boolean;
}

export class UnsupportedExpression extends Error {
  override readonly name = "UnsupportedExpression";
}

type Token = { kind: "op"; text: string } | { kind: "lit"; value: Value } | { kind: "id"; text: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const rest = source.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const op = /^(==|!=|&&|\|\||!|\(|\)|\.)/.exec(rest);
    const str = /^'((?:[^']|'')*)'/.exec(rest);
    const num = /^-?\d+(\.\d+)?/.exec(rest);
    const id = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(rest);
    if (op) tokens.push({ kind: "op", text: op[0] });
    else if (str) tokens.push({ kind: "lit", value: (str[1] ?? "").replaceAll("''", "'") });
    else if (num) tokens.push({ kind: "lit", value: Number(num[0]) });
    else if (id) {
      const word = id[0];
      if (word === "true" || word === "false") tokens.push({ kind: "lit", value: word === "true" });
      else if (word === "null") tokens.push({ kind: "lit", value: null });
      else tokens.push({ kind: "id", text: word });
    } else throw new UnsupportedExpression(`cannot read the expression at "${rest}" in "${source}"`);
    i += (op ?? str ?? num ?? id)?.[0].length ?? 1;
  }
  return tokens;
}

/** Evaluates one expression (the text inside `${{ }}`, or an `if:`). */
export function evaluate(source: string, ctx: ExpressionContext): Value {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = () => tokens[pos];
  const take = (text: string) => {
    const t = tokens[pos];
    if (t?.kind !== "op" || t.text !== text)
      throw new UnsupportedExpression(`expected "${text}" in "${source}"`);
    pos += 1;
  };
  const isOp = (text: string) => {
    const t = peek();
    return t?.kind === "op" && t.text === text;
  };
  const primary = (): Value => {
    const t = tokens[pos];
    pos += 1;
    if (!t) throw new UnsupportedExpression(`"${source}" ends too soon`);
    if (t.kind === "lit") return t.value;
    if (t.kind === "op" && t.text === "(") {
      const value = or();
      take(")");
      return value;
    }
    if (t.kind === "op" && t.text === "!") return !truthy(primary());
    if (t.kind !== "id") throw new UnsupportedExpression(`unexpected "${t.text}" in "${source}"`);
    if (isOp("(")) {
      take("(");
      take(")");
      if (t.text === "always") return true;
      if (t.text === "success") return ctx.succeeded;
      if (t.text === "failure") return !ctx.succeeded;
      if (t.text === "cancelled") return false;
      throw new UnsupportedExpression(`the function ${t.text}() is not supported by the local runner`);
    }
    if (!(t.text in ctx.contexts))
      throw new UnsupportedExpression(
        `the context "${t.text}" is not supported by the local runner (in "${source}")`,
      );
    let value: Value = ctx.contexts[t.text] ?? null;
    while (isOp(".")) {
      take(".");
      const name = tokens[pos];
      pos += 1;
      if (name?.kind !== "id") throw new UnsupportedExpression(`expected a property name in "${source}"`);
      value = value !== null && typeof value === "object" ? (value[name.text] ?? null) : null;
    }
    return value;
  };
  const comparison = (): Value => {
    const left = primary();
    if (isOp("==") || isOp("!=")) {
      const negate = isOp("!=");
      pos += 1;
      const right = primary();
      const equal = looseEquals(left, right);
      return negate ? !equal : equal;
    }
    return left;
  };
  const and = (): Value => {
    let left = comparison();
    while (isOp("&&")) {
      pos += 1;
      const right = comparison();
      left = truthy(left) ? right : left;
    }
    return left;
  };
  const or = (): Value => {
    let left = and();
    while (isOp("||")) {
      pos += 1;
      const right = and();
      left = truthy(left) ? left : right;
    }
    return left;
  };
  const value = or();
  if (pos !== tokens.length) throw new UnsupportedExpression(`unexpected text after "${source}"`);
  return value;
}

/** An `if:` — with no status function, GitHub adds `success() &&`. */
export function evaluateCondition(source: string | undefined, ctx: ExpressionContext): boolean {
  if (source === undefined) return ctx.succeeded;
  const text = String(source).replace(/^\s*\$\{\{(.*)\}\}\s*$/s, "$1");
  const value = truthy(evaluate(text, ctx));
  return /\b(always|success|failure|cancelled)\(\)/.test(text) ? value : ctx.succeeded && value;
}

/** Replaces each `${{ … }}` in a string with its value as text. */
export function interpolate(text: string, ctx: ExpressionContext): string {
  return text.replace(/\$\{\{(.*?)\}\}/gs, (_, inner: string) => asText(evaluate(inner, ctx)));
}

export function asText(value: Value): string {
  if (value === null) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function truthy(value: Value): boolean {
  return !(value === null || value === false || value === 0 || value === "");
}

function looseEquals(a: Value, b: Value): boolean {
  // GitHub compares strings case-insensitively and coerces mixed types to numbers.
  if (typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase();
  if (typeof a === typeof b) return a === b;
  return Number(a ?? 0) === Number(b ?? 0);
}
