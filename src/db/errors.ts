/** The database could not be reached or opened; the message says where and what to check. */
export class DatabaseUnavailableError extends Error {
  override readonly name = "DatabaseUnavailableError";
}

/** The schema is older than this version of Mission Control. */
export class MigrationsPendingError extends Error {
  override readonly name = "MigrationsPendingError";
}

/** The PostgreSQL SQLSTATE of an error, looking through drizzle's wrapping (`cause`). */
export function sqlState(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== "object") return undefined;
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Node socket errors that mean "the server went away or is not there (yet)". */
const TRANSIENT_ERRNO = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/** SQLSTATEs of a server that is there but will not serve now: shut down, crashed, starting, full. */
const TRANSIENT_SQLSTATE = new Set(["57P01", "57P02", "57P03", "53300"]);

/**
 * True when `error` says the database is unreachable for now (a restart, a failover, a network
 * blip) rather than that the request was wrong: the database could not be opened, SQLSTATE class 08
 * (connection exception), 57P01–57P03 (shut down, crashed, not accepting connections yet), 53300
 * (too many connections), a refused, reset or timed-out socket, or node-postgres's "Connection
 * terminated" and its pool's connect timeout. A long-running loop waits and tries again on these;
 * anything else is a real error.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (current instanceof DatabaseUnavailableError) return true;
    if (typeof current !== "object") return false;
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") {
      if (/^08[0-9A-Z]{3}$/.test(code) || TRANSIENT_SQLSTATE.has(code)) return true;
      if (TRANSIENT_ERRNO.has(code)) return true;
    }
    const message = (current as { message?: unknown }).message;
    if (
      typeof message === "string" &&
      /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
        message,
      )
    )
      return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Socket errors of an HTTP client: the server (or the network to it) is away for now. */
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EAI_AGAIN", "ENOTFOUND", "EPIPE"]);

/**
 * The one classifier of "away for now" failures, for everything that waits out an outage (the
 * app's periodic tasks, the `--loop` commands, a worker reporting its attempt's end): the database
 * unreachable (above), or an HTTP peer (GitHub, the app's attempt API) answering 5xx / 429 or not
 * answering at all. Such a failure is retried with back-off; a 4xx answer (a refusal, a conflict)
 * or any other error is not.
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
