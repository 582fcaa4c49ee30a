import { sql } from "drizzle-orm";
import type { Database } from "../../src/db/database.js";

/**
 * Test reset only (never in src/): empties every application table and restarts the used
 * identities, so the next test of a file starts from the freshly migrated state.
 *
 * `truncate` of all twenty tables costs as much as cloning a new PostgreSQL database (each table
 * gets new files and the commit waits for them) and four times a `delete` on PGlite, so the tables
 * are emptied with `delete` (free on an empty table) and only the sequences that were used are
 * restarted, all in one round trip.
 * Foreign keys are not checked while emptying (`session_replication_role = replica`, for this
 * transaction only), so the order of the tables does not matter. That setting needs a superuser;
 * without one it falls back to `truncate`.
 */
export async function emptyDatabase(db: Database): Promise<void> {
  try {
    await db.execute(EMPTY_BY_DELETE);
  } catch (error) {
    if (!isPermissionDenied(error)) throw error;
    await db.execute(EMPTY_BY_TRUNCATE);
  }
}

const EMPTY_BY_DELETE = sql.raw(`do $$
declare item record;
begin
  perform set_config('session_replication_role', 'replica', true);
  for item in select quote_ident(tablename) as name from pg_tables where schemaname = 'public' loop
    execute 'delete from ' || item.name;
  end loop;
  for item in select quote_ident(sequencename) as name from pg_sequences
      where schemaname = 'public' and last_value is not null loop
    execute 'alter sequence ' || item.name || ' restart';
  end loop;
end $$`);

const EMPTY_BY_TRUNCATE = sql.raw(`do $$
declare names text;
begin
  select string_agg(quote_ident(tablename), ', ') into names from pg_tables where schemaname = 'public';
  if names is not null then
    execute 'truncate ' || names || ' restart identity cascade';
  end if;
end $$`);

function isPermissionDenied(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if ((e as { code?: unknown }).code === "42501") return true;
  }
  return false;
}
