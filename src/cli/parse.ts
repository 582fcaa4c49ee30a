import type { z } from "zod";
import { optionIssueInWords } from "../config/issue-words.js";
import { CliError, EXIT_USAGE } from "./errors.js";

/** Validates parsed command-line options; a failure names the option and exits with usage status. */
export function parseOptions<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> {
  const parsed = schema.safeParse(raw, { reportInput: true });
  if (parsed.success) return parsed.data;
  throw new CliError(optionIssueInWords(parsed.error, schema, raw), EXIT_USAGE, { cause: parsed.error });
}

/** Turns a lifecycle failure result into the one line the person sees. */
export function failureToCliError(result: { code: string; message: string }): CliError {
  const exitCode = result.code === "invalid_input" ? EXIT_USAGE : 1;
  return new CliError(`${result.code}: ${result.message}`, exitCode, { code: result.code });
}
