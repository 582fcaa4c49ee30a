import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { type ConfigOverride, applyOverrides } from "./overrides.js";
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
export function parseConfig(text: string, source: string, overrides: readonly ConfigOverride[] = []): Config {
  const fromFile = readYaml(text, source);
  const fromEnv = overrides.map((o) => ({
    path: o.path,
    value: readYaml(o.text, `environment ${o.variable}`),
  }));
  const parsed = ConfigSchema.safeParse(applyOverrides(fromFile ?? {}, fromEnv));
  if (!parsed.success) {
    const label = overrides.length ? `${source} + ${overrides.map((o) => o.variable).join(", ")}` : source;
    throw new ConfigError(`${label}: ${describeIssues(parsed.error, overrides)}`, { cause: parsed.error });
  }
  return parsed.data;
}

/** The one YAML reader of configuration: YAML 1.2 core schema, duplicate keys refused. */
function readYaml(text: string, source: string): unknown {
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
  return document.toJS();
}

/** Reads the configuration file; a missing file at the default path means "all defaults". */
export async function loadConfig(options: {
  cwd: string;
  path?: string | undefined;
  overrides?: readonly ConfigOverride[];
}): Promise<Config> {
  const explicit = options.path !== undefined;
  const file = path.resolve(options.cwd, options.path ?? DEFAULT_CONFIG_PATH);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" && !explicit) {
      return parseConfig("{}", file, options.overrides);
    }
    throw new ConfigError(`cannot read configuration ${file}: ${(error as Error).message}`, { cause: error });
  }
  return parseConfig(text, path.relative(options.cwd, file) || file, options.overrides);
}

function describeIssues(error: z.ZodError, overrides: readonly ConfigOverride[]): string {
  return error.issues
    .map((issue) => {
      const key = issue.path.join(".");
      const from = overrides.find((o) => o.path.join(".") === key);
      const where = (key || "(top level)") + (from ? ` (from ${from.variable})` : "");
      if (issue.code === "unrecognized_keys") return `${where}: unknown key(s) ${issue.keys.join(", ")}`;
      return `${where}: ${issue.message}`;
    })
    .join("; ");
}
