import type { IncomingMessage } from "node:http";
import type { z } from "zod";
import { HttpError, type ValidationErrorItem, validationFailed } from "./http-error.js";

const MAX_BODY_BYTES = 5 * 1024 * 1024;

/** Reads the request body as JSON; an empty body is undefined, malformed JSON is GitHub's 400. */
export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, "Payload too large");
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, "Problems parsing JSON", {}).withCause(error);
  }
}

/**
 * Validates a request body with zod. Failures become GitHub's 422: `Invalid request.` followed by
 * one line per problem, and an `errors` entry naming the resource and field.
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, resource: string): z.infer<S> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const errors: ValidationErrorItem[] = parsed.error.issues.map((issue) => {
    const field = issue.path.map(String).join(".") || "body";
    const missing = issue.code === "invalid_type" && issue.input === undefined;
    return { resource, field, code: missing ? "missing_field" : "invalid", message: issue.message };
  });
  const lines = errors.map((error) =>
    error.code === "missing_field"
      ? `"${error.field}" wasn't supplied.`
      : `For "${error.field}": ${error.message}`,
  );
  throw validationFailed(errors, `Invalid request.\n\n${lines.join("\n")}`);
}
