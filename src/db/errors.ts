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

/**
 * True when `error` says the database is unreachable for now (a restart, a failover, a network
 * blip) rather than that the request was wrong: the database could not be opened, SQLSTATE class 08
 * (connection exception), 57P01–57P03 (shut down, crashed, not accepting connections yet), a
 * refused or reset socket, or node-postgres's "Connection terminated". A long-running loop waits
 * and tries again on these; anything else is a real error.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (current instanceof DatabaseUnavailableError) return true;
    if (typeof current !== "object") return false;
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") {
      if (/^08[0-9A-Z]{3}$/.test(code) || ["57P01", "57P02", "57P03"].includes(code)) return true;
      if (TRANSIENT_ERRNO.has(code)) return true;
    }
    const message = (current as { message?: unknown }).message;
    if (
      typeof message === "string" &&
      /Connection terminated|connection timeout|Client has encountered a connection error/i.test(message)
    )
      return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
