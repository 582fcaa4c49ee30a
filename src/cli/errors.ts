/**
 * An error meant for the person at the terminal: one line, no stack trace, an honest exit code.
 * Exit codes: 1 = the request was refused or failed, 2 = the command line was wrong,
 * 3 = the database is unavailable or behind.
 */
export class CliError extends Error {
  override readonly name = "CliError";
  /** A reason code for scripts (`--json` prints `{"error":{"code","message"}}`); by exit code when not given. */
  readonly code: string;
  /** Facts a script may want besides the message (`--json` prints them as `error.detail`). */
  readonly detail: unknown;
  constructor(
    message: string,
    readonly exitCode: number = 1,
    options?: ErrorOptions & { code?: string; detail?: unknown },
  ) {
    super(message, options);
    this.code = options?.code ?? codeOfExit(exitCode);
    this.detail = options?.detail;
  }
}

/** The reason code of an error that has none of its own. */
export function codeOfExit(exitCode: number): string {
  return exitCode === EXIT_USAGE ? "usage" : exitCode === EXIT_DATABASE ? "database_unavailable" : "refused";
}

export const EXIT_USAGE = 2;
export const EXIT_DATABASE = 3;
