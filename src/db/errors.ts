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
