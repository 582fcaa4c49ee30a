/**
 * zod's issues in words a person reads at the terminal: `--limit must be a whole number of at least 1`
 * instead of `Too small: expected number to be >=1`. The one place where zod's own texts are
 * translated; a message a schema wrote itself (`must be owner/name`) is kept as it is.
 */
import { z } from "zod";

/** What an issue says about its subject, e.g. `must be a whole number of at least 1`. */
export function issueInWords(issue: z.core.$ZodIssue, schema?: z.ZodType): string {
  if (!isZodDefault(issue.message)) return issue.message;
  const whole = schema ? isWholeNumber(schemaAt(schema, issue.path)) : false;
  const number = whole ? "a whole number" : "a number";
  switch (issue.code) {
    case "invalid_type":
      if (issue.expected === "number" || issue.expected === "int")
        return `must be ${issue.expected === "int" || whole ? "a whole number" : "a number"}${received(issue.input)}`;
      if (issue.expected === "boolean") return `must be true or false${received(issue.input)}`;
      if (issue.input === undefined) return "is required";
      return `must be ${article(issue.expected)}${received(issue.input)}`;
    case "too_small":
      if (issue.origin === "number" || issue.origin === "int" || issue.origin === "bigint")
        return issue.inclusive
          ? `must be ${number} of at least ${issue.minimum}`
          : `must be ${number} greater than ${issue.minimum}`;
      if (issue.origin === "string")
        return Number(issue.minimum) <= 1
          ? "must not be empty"
          : `must have at least ${issue.minimum} characters`;
      if (issue.origin === "array") return `must list at least ${issue.minimum}`;
      return `is too small (at least ${issue.minimum})`;
    case "too_big":
      if (issue.origin === "number" || issue.origin === "int" || issue.origin === "bigint")
        return issue.inclusive
          ? `must be ${number} of at most ${issue.maximum}`
          : `must be ${number} less than ${issue.maximum}`;
      if (issue.origin === "string") return `must have at most ${issue.maximum} characters`;
      if (issue.origin === "array") return `must list at most ${issue.maximum}`;
      return `is too big (at most ${issue.maximum})`;
    case "invalid_value":
      return `must be ${issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((v) => String(v)).join(", ")}`}`;
    case "invalid_format":
      return `must be ${article(issue.format === "url" ? "URL" : issue.format)}`;
    case "invalid_union": {
      // A discriminated union names the values its key may take.
      const options = (issue as { options?: unknown[] }).options;
      return options?.length
        ? `must be one of ${options.map(String).join(", ")}`
        : "does not match any allowed form";
    }
    case "unrecognized_keys":
      return `has unknown key(s) ${issue.keys.join(", ")}`;
    case "invalid_key": {
      // A record's key (e.g. a repository of `repositories:`): say what the key itself must be.
      const inner = issue.issues[0];
      return inner ? `is not a valid key: ${inner.message}` : "is not a valid key";
    }
    default:
      return issue.message;
  }
}

/**
 * `--limit must be …`: the option named as typed (camelCase paths become --kebab-case). `raw` is what
 * was typed: a coerced number reports NaN as its input, the words say `not "ten"`.
 */
export function optionIssueInWords(error: z.ZodError, schema?: z.ZodType, raw?: unknown): string {
  const first = error.issues[0];
  if (!first) return "invalid options";
  const typed = first.path.length === 1 && isRecord(raw) ? raw[String(first.path[0])] : undefined;
  const issue =
    typeof first.input === "number" && Number.isNaN(first.input)
      ? ({ ...first, input: typed } as z.core.$ZodIssue)
      : first;
  const option = issue.path.length
    ? `--${String(issue.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
    : "options";
  return `${option} ${issueInWords(issue, schema)}`;
}

/** zod's generated messages start with these; anything else was written by a schema of ours. */
const ZOD_DEFAULTS = [
  /^Invalid input/,
  /^Too small/,
  /^Too big/,
  /^Invalid option/,
  /^Invalid /,
  /^Unrecognized key/,
];

function isZodDefault(message: string): boolean {
  return ZOD_DEFAULTS.some((pattern) => pattern.test(message));
}

function received(input: unknown): string {
  if (input === undefined) return "";
  if (typeof input === "number" && Number.isNaN(input)) return "";
  return `, not ${JSON.stringify(input)}`;
}

function article(word: string): string {
  return /^[aeiouAEIOU]/.test(word) && word !== "URL" ? `an ${word}` : `a ${word}`;
}

/** The schema of the value at `path` (through objects, optionals, defaults and pipes), if found. */
function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let node: z.ZodType | undefined = unwrap(schema);
  for (const key of path) {
    if (!(node instanceof z.ZodObject)) return undefined;
    node = unwrap((node.shape as Record<string, z.ZodType>)[String(key)]);
  }
  return node;
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let node = schema;
  for (let i = 0; node && i < 10; i++) {
    if (node instanceof z.ZodOptional || node instanceof z.ZodDefault || node instanceof z.ZodNullable)
      node = node.unwrap() as z.ZodType;
    else if (node instanceof z.ZodPipe) node = node.out as z.ZodType;
    else break;
  }
  return node;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function isWholeNumber(schema: z.ZodType | undefined): boolean {
  return schema instanceof z.ZodNumber && schema.isInt === true;
}

/** `APP_ID must be …`: an environment variable's first issue, the variable named as it is spelled. */
export function variableIssueInWords(error: z.ZodError, schema?: z.ZodType): string {
  const issue = error.issues[0];
  if (!issue) return "invalid environment";
  return `${issue.path.map(String).join(".") || "environment"} ${issueInWords(issue, schema)}`;
}
