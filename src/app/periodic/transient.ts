import { isTransientDatabaseError } from "../../db/errors.js";

/** Socket errors of an HTTP client: GitHub (or the network to it) is away for now. */
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EAI_AGAIN", "ENOTFOUND", "EPIPE"]);

/**
 * True when a periodic task failed because something it depends on is away for now: the database
 * (src/db/errors.ts), or GitHub answering 5xx / 429 or not answering at all. Such a failure is
 * waited out with back-off; any other failure is logged and the task runs again at its interval.
 */
export function isTransientFailure(error: unknown): boolean {
  if (isTransientDatabaseError(error)) return true;
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== "object") return false;
    const status = (current as { status?: unknown }).status;
    if (typeof status === "number" && (status >= 500 || status === 429)) return true;
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_CODES.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
