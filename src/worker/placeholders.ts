/** The values an agent command (or test command) may refer to as `{ticket}`, `{attempt}`, `{ticket_file}`. */
export interface PlaceholderValues {
  readonly ticket: string;
  readonly attempt: string;
  readonly ticket_file: string;
}

const PLACEHOLDER = /\{(ticket|attempt|ticket_file)\}/g;

/**
 * Replaces the known placeholders in every argument. Anything else in braces is left alone, so an
 * agent argument may contain JSON or shell-like text. No shell is involved: arguments stay arguments.
 */
export function expandPlaceholders(argv: readonly string[], values: PlaceholderValues): string[] {
  return argv.map((arg) => arg.replace(PLACEHOLDER, (_match, name: keyof PlaceholderValues) => values[name]));
}
