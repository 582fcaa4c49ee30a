import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import type { NodePgDatabase } from "drizzle-orm/node-postgres";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import { type DatabaseHandle, type Executor, queryRows } from "./database.js";
import { MigrationsPendingError } from "./errors.js";

/** drizzle/ at the package root: the same depth from src/db and dist/db. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../drizzle", import.meta.url));

/** Any constant fits: it only has to be the same for every replica migrating this schema. */
const MIGRATION_LOCK_KEY = 0x6d63746c; // "mctl"

export interface MigrationReport {
  readonly applied: number;
  readonly total: number;
}

/**
 * Applies the committed migrations in drizzle/. On PostgreSQL an advisory lock makes replicas that
 * start together migrate one after the other instead of racing.
 */
export async function migrateDatabase(handle: DatabaseHandle): Promise<MigrationReport> {
  const before = await appliedCount(handle.db);
  const config = { migrationsFolder: MIGRATIONS_FOLDER };
  if (handle.driver === "pglite") {
    await migratePglite(handle.db as unknown as PgliteDatabase, config);
  } else {
    await handle.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
      // drizzle's migrator runs its own transaction on another pooled connection; the lock held
      // here keeps other replicas waiting until it is done.
      await migratePg(handle.db as unknown as NodePgDatabase, config);
    });
  }
  const total = readMigrationFiles(config).length;
  return { applied: (await appliedCount(handle.db)) - before, total };
}

/** Refuses to work on a schema older than this code, with the command that fixes it. */
export async function assertMigrated(db: Executor): Promise<void> {
  const total = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }).length;
  const applied = await appliedCount(db);
  if (applied < total) {
    throw new MigrationsPendingError(
      `the database schema is behind (${applied} of ${total} migrations applied): run \`mctl db migrate\``,
    );
  }
}

async function appliedCount(db: Executor): Promise<number> {
  const [table] = await queryRows<{ present: boolean }>(
    db,
    sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`,
  );
  if (!table?.present) return 0;
  const [count] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
  );
  return Number(count?.n ?? 0);
}
