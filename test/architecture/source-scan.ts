/**
 * A small TypeScript source scanner for the architecture tests: it separates code from comments
 * and string literals (so a comment or a string that mentions `process.env` or an import is not
 * mistaken for one), then finds module specifiers and environment reads in the code. Not a parser:
 * it knows just enough of the lexical grammar (strings, templates, comments, regex literals).
 */

export interface ScannedSource {
  /** The code with every comment removed and every string literal replaced by `"#<index>"`. */
  readonly code: string;
  /** The string literals' values, by index. */
  readonly strings: readonly string[];
}

/** Characters after which a `/` starts a regular expression rather than a division. */
const REGEX_AFTER = new Set([
  "",
  "(",
  ",",
  "=",
  ":",
  "[",
  "!",
  "&",
  "|",
  "?",
  "{",
  "}",
  ";",
  "+",
  "-",
  "*",
  "%",
  "<",
  ">",
  "~",
  "^",
]);
const REGEX_AFTER_WORDS = new Set(
  "return typeof instanceof in of new delete void throw case do else yield await".split(" "),
);

const PLAIN = /[^/'"`{}]+/y;

function startsRegex(before: { char: string; word: string }): boolean {
  return REGEX_AFTER.has(before.char) || REGEX_AFTER_WORDS.has(before.word);
}

export function scanSource(source: string): ScannedSource {
  const strings: string[] = [];
  let code = "";
  let i = 0;
  /** Open `${` expressions of template literals: the brace depth at which each one closes. */
  const templates: number[] = [];
  let depth = 0;
  /** The code's last non-blank character and the word it ends with (looked at only before a `/`). */
  const tail = (): { char: string; word: string } => {
    let j = code.length - 1;
    while (j >= 0 && /\s/.test(code[j] as string)) j -= 1;
    let k = j;
    while (k >= 0 && /\w/.test(code[k] as string)) k -= 1;
    return { char: code[j] ?? "", word: code.slice(k + 1, j + 1) };
  };
  const readQuoted = (quote: string): string => {
    let value = "";
    i += 1;
    while (i < source.length && source[i] !== quote) {
      if (source[i] === "\\") {
        value += source[i + 1] ?? "";
        i += 2;
      } else {
        value += source[i];
        i += 1;
      }
    }
    i += 1;
    return value;
  };
  /** Reads template text up to its end (returns true) or up to a `${` (returns false). */
  const readTemplateChunk = (): { text: string; ended: boolean } => {
    let text = "";
    while (i < source.length) {
      const c = source[i];
      if (c === "\\") {
        text += source[i + 1] ?? "";
        i += 2;
      } else if (c === "`") {
        i += 1;
        return { text, ended: true };
      } else if (c === "$" && source[i + 1] === "{") {
        i += 2;
        return { text, ended: false };
      } else {
        text += c;
        i += 1;
      }
    }
    return { text, ended: true };
  };
  const template = () => {
    const chunk = readTemplateChunk();
    if (chunk.ended) {
      strings.push(chunk.text);
      code += `"#${strings.length - 1}"`;
    } else {
      // A template with expressions: its text is no specifier; its expressions are code.
      code += " ( ";
      templates.push(depth);
      depth += 1;
    }
  };
  while (i < source.length) {
    const c = source[i] as string;
    const next = source[i + 1];
    if (c === "/" && next === "/") {
      while (i < source.length && source[i] !== "\n") i += 1;
    } else if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      i = end === -1 ? source.length : end + 2;
      code += " ";
    } else if (c === "'" || c === '"') {
      strings.push(readQuoted(c));
      code += `"#${strings.length - 1}"`;
    } else if (c === "`") {
      i += 1;
      template();
    } else if (c === "}" && templates.length && templates[templates.length - 1] === depth - 1) {
      templates.pop();
      depth -= 1;
      i += 1;
      const chunk = readTemplateChunk();
      if (chunk.ended) code += " ) ";
      else {
        code += " , ";
        templates.push(depth);
        depth += 1;
      }
    } else if (c === "/" && startsRegex(tail())) {
      // A regular expression literal: skipped whole (a quote inside it is no string).
      i += 1;
      let inClass = false;
      while (i < source.length) {
        const r = source[i];
        if (r === "\\") i += 2;
        else {
          if (r === "[") inClass = true;
          else if (r === "]") inClass = false;
          else if (r === "/" && !inClass) break;
          else if (r === "\n") break;
          i += 1;
        }
      }
      i += 1;
      while (i < source.length && /[a-z]/i.test(source[i] as string)) i += 1;
      code += " /re/ ";
    } else {
      if (c === "{") depth += 1;
      else if (c === "}") depth -= 1;
      code += c;
      i += 1;
      // Copy the plain run up to the next character that may start something else, in one go.
      PLAIN.lastIndex = i;
      const run = PLAIN.exec(source);
      if (run) {
        code += run[0];
        i += run[0].length;
      }
    }
  }
  return { code, strings };
}

/** Every module a file imports: static imports and re-exports (type-only too), bare and dynamic imports. */
export function moduleSpecifiers(source: string): string[] {
  const { code, strings } = scanSource(source);
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\b[^;"]*?\bfrom\s*"#(\d+)"/g,
    /\bimport\s*"#(\d+)"/g,
    /\bimport\s*\(\s*"#(\d+)"\s*[,)]/g,
    /\brequire\s*\(\s*"#(\d+)"\s*\)/g,
  ];
  for (const pattern of patterns)
    for (const match of code.matchAll(pattern)) found.push(strings[Number(match[1])] ?? "");
  return found;
}

/** How a file reads the process environment, if it does (one line per kind of read). */
export function environmentReads(source: string): string[] {
  const { code, strings } = scanSource(source);
  const found: string[] = [];
  if (/\bprocess\s*\??\.\s*env\b/.test(code)) found.push("process.env");
  for (const match of code.matchAll(/\bprocess\s*\??\.?\s*\[\s*"#(\d+)"\s*\]/g))
    if (strings[Number(match[1])] === "env") found.push('process["env"]');
  if (/\{[^}]*\benv\b[^}]*\}\s*=\s*process\b/.test(code)) found.push("const { env } = process");
  for (const spec of moduleSpecifiers(source))
    if (spec === "process" || spec === "node:process") found.push(`import from "${spec}"`);
  return found;
}
