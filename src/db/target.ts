import path from "node:path";
import { z } from "zod";

/** Where the database is: a PostgreSQL server, or an embedded PGlite (on disk or in memory). */
export type DatabaseTarget =
  | { readonly driver: "postgres"; readonly url: string }
  | { readonly driver: "pglite"; readonly dataDir: string | "memory://" };

export const DEFAULT_DATA_DIR = "./.mission-control/data";

const EnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .trim()
    .min(1)
    .refine((value) => /^postgres(ql)?:\/\//.test(value), {
      message: "must start with postgres:// or postgresql:// (unset it to use the embedded database)",
    })
    .optional(),
  MCTL_DATA_DIR: z.string().trim().min(1).optional(),
});

/**
 * Chooses the database from the environment: `DATABASE_URL` (postgres://…) selects PostgreSQL;
 * otherwise PGlite in `MCTL_DATA_DIR` (default ./.mission-control/data), or `memory://`.
 */
export function resolveDatabaseTarget(env: Record<string, string | undefined>, cwd: string): DatabaseTarget {
  const parsed = EnvSchema.safeParse({
    DATABASE_URL: env.DATABASE_URL || undefined,
    MCTL_DATA_DIR: env.MCTL_DATA_DIR || undefined,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${issue?.path.join(".") ?? "environment"} ${issue?.message ?? "is invalid"}`, {
      cause: parsed.error,
    });
  }
  const { DATABASE_URL, MCTL_DATA_DIR } = parsed.data;
  if (DATABASE_URL) return { driver: "postgres", url: DATABASE_URL };
  const dataDir = MCTL_DATA_DIR ?? DEFAULT_DATA_DIR;
  return { driver: "pglite", dataDir: dataDir === "memory://" ? dataDir : path.resolve(cwd, dataDir) };
}

/** A connection string with its password replaced, fit for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable database URL)";
  }
}

export function describeTarget(target: DatabaseTarget): string {
  return target.driver === "postgres"
    ? `PostgreSQL ${redactUrl(target.url)}`
    : `embedded PGlite (${target.dataDir})`;
}
