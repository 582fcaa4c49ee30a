import type { ServerResponse } from "node:http";
import type { z } from "zod";

/** One problem with a request, naming the query parameter (or path segment) it is about. */
export interface ApiIssue {
  readonly parameter: string;
  readonly message: string;
}

/** The body of every error answer: a stable code, a readable message and, for 400s, the issues. */
export interface ApiErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly issues?: readonly ApiIssue[] };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    // A browser must not guess another type: an issue title is data, never markup to render.
    "x-content-type-options": "nosniff",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  extra: { issues?: readonly ApiIssue[]; headers?: Record<string, string> } = {},
): void {
  const body: ApiErrorBody = { error: { code, message, ...(extra.issues ? { issues: extra.issues } : {}) } };
  sendJson(res, status, body, extra.headers);
}

/** A zod failure as issues naming the query parameter each one is about. */
export function issuesOf(error: z.ZodError): ApiIssue[] {
  return error.issues.map((issue) => {
    if (issue.code === "unrecognized_keys")
      return { parameter: issue.keys.join(", "), message: "is not a parameter of this route" };
    return {
      parameter: issue.path.length ? issue.path.map(String).join(".") : "query",
      message: issue.message,
    };
  });
}

export function sendInvalid(res: ServerResponse, issues: readonly ApiIssue[]): void {
  const summary = issues.map((i) => `${i.parameter}: ${i.message}`).join("; ");
  sendError(res, 400, "invalid_request", summary, { issues });
}
