import type { z } from "zod";
import { CliError, EXIT_USAGE } from "./errors.js";

/** Validates parsed command-line options; a failure names the option and exits with usage status. */
export function parseOptions<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const option = issue?.path.length
    ? `--${String(issue.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
    : "options";
  throw new CliError(`${option}: ${issue?.message ?? "invalid"}`, EXIT_USAGE, { cause: parsed.error });
}

/** Turns a lifecycle failure result into the one line the person sees. */
export function failureToCliError(result: { code: string; message: string }): CliError {
  const exitCode = result.code === "invalid_input" ? EXIT_USAGE : 1;
  return new CliError(`${result.code}: ${result.message}`, exitCode);
}
