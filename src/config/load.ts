import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { type Config, ConfigSchema } from "./schema.js";

/** Where configuration is looked for when MCTL_CONFIG does not name a file. */
export const DEFAULT_CONFIG_PATH = ".github/mission-control.yml";

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/**
 * Parses configuration text: YAML 1.2 (core schema, so `yes` is a string, not a boolean) and the
 * zod schema. Every problem is reported as `file: key.path: what is wrong`.
 */
export function parseConfig(text: string, source: string): Config {
  const document = parseDocument(text, {
    version: "1.2",
    schema: "core",
    prettyErrors: true,
    uniqueKeys: true,
  });
  if (document.errors.length) {
    const first = document.errors[0];
    throw new ConfigError(`${source}: invalid YAML: ${first?.message.split("\n")[0] ?? "unknown error"}`, {
      cause: first,
    });
  }
  const value: unknown = document.toJS() ?? {};
  const parsed = ConfigSchema.safeParse(value);
  if (!parsed.success)
    throw new ConfigError(`${source}: ${describeIssues(parsed.error)}`, { cause: parsed.error });
  return parsed.data;
}

/** Reads the configuration file; a missing file at the default path means "all defaults". */
export async function loadConfig(options: { cwd: string; path?: string | undefined }): Promise<Config> {
  const explicit = options.path !== undefined;
  const file = path.resolve(options.cwd, options.path ?? DEFAULT_CONFIG_PATH);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" && !explicit) return parseConfig("{}", file);
    throw new ConfigError(`cannot read configuration ${file}: ${(error as Error).message}`, { cause: error });
  }
  return parseConfig(text, path.relative(options.cwd, file) || file);
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length ? issue.path.join(".") : "(top level)";
      if (issue.code === "unrecognized_keys") return `${where}: unknown key(s) ${issue.keys.join(", ")}`;
      return `${where}: ${issue.message}`;
    })
    .join("; ");
}
