/**
 * The one way an unknown thrown value becomes text: an Error's message (or its name when the
 * message is empty, as some network errors have), anything else as a string. Callers that show a
 * single line take `firstLine(errorMessage(e))`.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** The first non-empty line of `text`, trimmed (git and child processes print several). */
export function firstLine(text: string): string {
  return text.trim().split("\n")[0] ?? text;
}
