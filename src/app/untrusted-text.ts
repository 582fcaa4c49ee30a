/**
 * Text written by people or agents that the app posts back to GitHub under its own name. Markdown
 * is kept (a ticket body is meant to be formatted), but what would make the app act for the author
 * is made inert:
 * - `@name` and `@org/team` would notify them from the app's account: a zero-width space after the
 *   `@` keeps the text readable and stops the mention (GitHub only links `@` directly followed by a
 *   name);
 * - in echoed commands and messages, `<` becomes `&lt;` so no HTML comment can forge the app's
 *   hidden markers (`<!-- mission-control:… -->`) and no tag can hide or restyle the reply, and
 *   bidirectional-override characters are shown as `[U+202E]` instead of reordering the app's text.
 */

const MENTION = /(^|[^A-Za-z0-9_`/@])@(?=[A-Za-z0-9])/g;
// Bidirectional formatting characters (embeddings, overrides, isolates, marks).
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
// C0 and C1 controls other than tab and line feed, and U+0000 above all (PostgreSQL refuses it).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

const ZERO_WIDTH_SPACE = "\u200B";

/** `@alice` → `@​alice` (a zero-width space after the `@`): shown the same, notifies nobody. */
export function neutralizeMentions(text: string): string {
  return text.replace(MENTION, `$1@${ZERO_WIDTH_SPACE}`);
}

const codePoint = (char: string) =>
  `[U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}]`;

/** A fragment of someone's text echoed inside the app's own message (a quoted command, a usage error). */
export function inertEcho(text: string): string {
  return neutralizeMentions(text.replace(/</g, "&lt;").replace(BIDI, codePoint).replace(CONTROL, codePoint));
}
