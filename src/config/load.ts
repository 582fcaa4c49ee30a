import { readFile } from "node:fs/promises";
import path from "node:path";
import { Lexer, Parser, parseDocument } from "yaml";
import type { z } from "zod";
import { errorMessage } from "../domain/error-message.js";
import { issueInWords } from "./issue-words.js";
import { applyOverrides, type ConfigOverride } from "./overrides.js";
import { type Config, ConfigSchema } from "./schema.js";

/** Where configuration is looked for when MCTL_CONFIG does not name a file. */
export const DEFAULT_CONFIG_PATH = ".github/mission-control.yml";

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/**
 * Parses configuration text: YAML 1.2 (core schema, so `yes` is a string, not a boolean) and the
 * zod schema. Every problem is reported as `file: key.path: what is wrong`. `source` is null when
 * no file exists (all defaults): an error then names only the variables that were set.
 */
export function parseConfig(
  text: string,
  source: string | null,
  overrides: readonly ConfigOverride[] = [],
): Config {
  const fromFile = readYaml(text, source ?? "configuration");
  const fromEnv = overrides.map((o) => ({
    path: o.path,
    value: readYaml(o.text, `environment ${o.variable}`),
  }));
  // reportInput: the message can say what was written (`not "four"`).
  const parsed = ConfigSchema.safeParse(applyOverrides(fromFile ?? {}, fromEnv), { reportInput: true });
  if (!parsed.success) {
    const label =
      [...(source === null ? [] : [source]), ...overrides.map((o) => o.variable)].join(" + ") ||
      "configuration";
    throw new ConfigError(`${label}: ${describeIssues(parsed.error, overrides)}`, { cause: parsed.error });
  }
  return parsed.data;
}

/** A configuration file is a few KiB; anything near this is a mistake or an attack. */
export const MAX_CONFIG_BYTES = 64 * 1024;
/** Collections nested deeper than this are refused before the document is built (the schema needs 4). */
export const MAX_CONFIG_DEPTH = 32;
/** Alias expansions allowed when building the value: an "alias bomb" fails fast instead of blowing up. */
const MAX_ALIAS_COUNT = 100;

/**
 * The one YAML reader of configuration: YAML 1.2 core schema, duplicate keys refused. Hostile input
 * fails fast with a ConfigError: files over MAX_CONFIG_BYTES, nesting deeper than MAX_CONFIG_DEPTH
 * (checked on the token stream, before the recursive document builder could exhaust the stack),
 * alias bombs (maxAliasCount), and any tag the core schema does not know (`!!js/function`,
 * `!!binary`, `!foo`): configuration holds plain values only.
 */
function readYaml(text: string, source: string): unknown {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_CONFIG_BYTES)
    throw new ConfigError(
      `${source}: the configuration is ${bytes} bytes; the limit is ${MAX_CONFIG_BYTES} (a configuration file is a few KiB)`,
    );
  const depth = nestingDepth(text, MAX_CONFIG_DEPTH);
  if (depth > MAX_CONFIG_DEPTH)
    throw new ConfigError(
      `${source}: invalid YAML: collections nested more than ${MAX_CONFIG_DEPTH} levels deep`,
    );
  const document = parseDocument(text, {
    version: "1.2",
    schema: "core",
    prettyErrors: true,
    uniqueKeys: true,
    // YAML 1.1 types (`!!binary`, `!!timestamp`, `!!set`…) stay unresolved: refused below like any unknown tag.
    resolveKnownTags: false,
    // Errors and warnings are collected on the document (and refused below), not printed.
    logLevel: "error",
  });
  const problem = document.errors[0] ?? document.warnings[0];
  if (problem) {
    throw new ConfigError(`${source}: invalid YAML: ${problem.message.split("\n")[0] ?? "unknown error"}`, {
      cause: problem,
    });
  }
  try {
    return document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // yaml throws a plain ReferenceError for an alias bomb (and for an alias to nothing).
    const message = errorMessage(error);
    throw new ConfigError(
      /alias count/i.test(message)
        ? `${source}: invalid YAML: aliases expand to too many nodes (more than ${MAX_ALIAS_COUNT}); write the values out`
        : `${source}: invalid YAML: ${message.split("\n")[0]}`,
      { cause: error },
    );
  }
}

/**
 * How deeply collections nest, read from yaml's token stream (Lexer + Parser keep an explicit stack,
 * no recursion); stops counting as soon as `limit` is passed, so a hostile file costs little.
 */
function nestingDepth(text: string, limit: number): number {
  const parser = new Parser();
  let deepest = 0;
  for (const lexeme of new Lexer().lex(text)) {
    for (const _token of parser.next(lexeme)) {
      // Whole documents come out here; only the stack of open tokens matters.
    }
    let depth = 0;
    for (const token of parser.stack)
      if (token.type === "block-map" || token.type === "block-seq" || token.type === "flow-collection")
        depth++;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) break;
  }
  return deepest;
}

/** Reads the configuration file; a missing file at the default path means "all defaults". */
export async function loadConfig(options: {
  cwd: string;
  path?: string | undefined;
  overrides?: readonly ConfigOverride[];
}): Promise<Config> {
  const file = await readConfigFile(options);
  return parseConfig(file.text, file.source, options.overrides);
}

/** The configuration file as read: its text and its name, or `{}` and null when there is none. */
export interface ConfigFile {
  readonly text: string;
  /** The file's path (relative to cwd when inside it); null when no file exists at the default path. */
  readonly source: string | null;
}

/** Reads the configuration file; a missing file at the default path is no file (an explicit one must exist). */
export async function readConfigFile(options: {
  cwd: string;
  path?: string | undefined;
}): Promise<ConfigFile> {
  const explicit = options.path !== undefined;
  const file = path.resolve(options.cwd, options.path ?? DEFAULT_CONFIG_PATH);
  try {
    return { text: await readFile(file, "utf8"), source: path.relative(options.cwd, file) || file };
  } catch (error) {
    // No file: the defaults (and the MCTL__ variables) are the whole configuration.
    if ((error as NodeJS.ErrnoException).code === "ENOENT" && !explicit) return { text: "{}", source: null };
    throw new ConfigError(`cannot read configuration ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/** The file's values as written (YAML only, before defaults): what `mctl config check` attributes to the file. */
export function readConfigText(text: string, source: string | null): unknown {
  return readYaml(text, source ?? "configuration");
}

function describeIssues(error: z.ZodError, overrides: readonly ConfigOverride[]): string {
  return error.issues
    .map((issue) => {
      const key = issue.path.join(".");
      const from = overrides.find((o) => o.path.join(".") === key);
      const where = (key || "(top level)") + (from ? ` (from ${from.variable})` : "");
      if (issue.code === "unrecognized_keys") return `${where}: unknown key(s) ${issue.keys.join(", ")}`;
      return `${where}: ${issueInWords(issue, ConfigSchema)}`;
    })
    .join("; ");
}
