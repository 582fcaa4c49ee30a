/**
 * An error meant for the person at the terminal: one line, no stack trace, an honest exit code.
 * Exit codes: 1 = the request was refused or failed, 2 = the command line was wrong,
 * 3 = the database is unavailable or behind.
 */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    message: string,
    readonly exitCode: number = 1,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export const EXIT_USAGE = 2;
export const EXIT_DATABASE = 3;
