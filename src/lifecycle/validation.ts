import type { z } from "zod";
import type { InvalidInput } from "./results.js";

/** Validates `input` with `schema`, turning a failure into a typed `invalid_input` result. */
export function validate<T extends z.ZodType>(
  schema: T,
  input: unknown,
  what: string,
): { ok: true; value: z.infer<T> } | InvalidInput {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues = parsed.error.issues.map((issue) =>
    issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message,
  );
  return { ok: false, code: "invalid_input", message: `invalid ${what}: ${issues.join("; ")}`, issues };
}
