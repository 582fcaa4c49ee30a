/**
 * Where each effective configuration value comes from: the schema's default, the file, or an
 * `MCTL__…` variable. What `mctl config check` prints, so "why is max_workers 2?" has an answer.
 */
import type { ConfigOverride } from "./overrides.js";
import type { Config } from "./schema.js";

export type ValueSource = "default" | "file" | "environment";

export interface EffectiveValue {
  /** Dotted key path, e.g. `dispatch.max_workers`. */
  readonly key: string;
  readonly value: unknown;
  readonly source: ValueSource;
  /** The variable that set it, when the source is the environment. */
  readonly variable?: string;
}

/**
 * Every leaf of the effective configuration with its source. An override wins over the file (it is
 * applied last); a value absent from both is the default. Lists are leaves: a list is set whole.
 */
export function effectiveValues(
  config: Config,
  fromFile: unknown,
  overrides: readonly ConfigOverride[],
): EffectiveValue[] {
  const values: EffectiveValue[] = [];
  const visit = (value: unknown, path: string[]) => {
    if (isObject(value)) {
      for (const [key, child] of Object.entries(value)) visit(child, [...path, key]);
      return;
    }
    const override = [...overrides].reverse().find((o) => isPrefix(o.path, path));
    if (override)
      values.push({ key: path.join("."), value, source: "environment", variable: override.variable });
    else values.push({ key: path.join("."), value, source: has(fromFile, path) ? "file" : "default" });
  };
  visit(config, []);
  return values;
}

function isPrefix(prefix: readonly string[], path: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((part, i) => part === path[i]);
}

function has(value: unknown, path: readonly string[]): boolean {
  let node = value;
  for (const key of path) {
    if (!isObject(node) || !(key in node)) return false;
    node = node[key];
  }
  return true;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
