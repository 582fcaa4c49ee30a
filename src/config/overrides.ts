/**
 * Configuration from the environment: `MCTL__SECTION__KEY=value` sets `section.key` (nested keys
 * take more `__`), e.g. `MCTL__DISPATCH__MAX_WORKERS=8` or `MCTL__DISPATCH__BACKOFF__BASE_SECONDS=30`.
 * The value is read by the same YAML parser as the file (so `8` is a number, `[a, b]` a list, `yes`
 * a string) and the result is validated by the same schema: one parser, one answer.
 */
export interface ConfigOverride {
  /** The environment variable, for error messages. */
  readonly variable: string;
  /** snake_case key path, e.g. ["dispatch", "max_workers"]. */
  readonly path: readonly string[];
  readonly text: string;
}

const PATTERN = /^MCTL__([A-Z][A-Z0-9_]*?(?:__[A-Z][A-Z0-9_]*?)+)$/;

export function readConfigOverrides(env: Record<string, string | undefined>): ConfigOverride[] {
  return Object.entries(env)
    .filter((entry): entry is [string, string] => entry[1] !== undefined && PATTERN.test(entry[0]))
    .map(([variable, text]) => ({
      variable,
      path: variable
        .slice("MCTL__".length)
        .split("__")
        .map((part) => part.toLowerCase()),
      text,
    }))
    .sort((a, b) => a.variable.localeCompare(b.variable));
}

/** Sets each override's value (already parsed) at its path, creating objects on the way. */
export function applyOverrides(
  base: unknown,
  overrides: readonly { path: readonly string[]; value: unknown }[],
): unknown {
  if (!overrides.length) return base;
  const root: Record<string, unknown> = isObject(base) ? structuredClone(base) : {};
  for (const { path, value } of overrides) {
    let node = root;
    path.forEach((key, i) => {
      if (i === path.length - 1) {
        node[key] = value;
        return;
      }
      if (!isObject(node[key])) node[key] = {};
      node = node[key] as Record<string, unknown>;
    });
  }
  return root;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
