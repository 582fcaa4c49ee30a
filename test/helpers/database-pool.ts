import { sql } from "drizzle-orm";
import { type Database, queryRows } from "../../src/db/database.js";

/**
 * Test databases kept from one test file to the next in the same vitest worker: the config's
 * `isolate: false` keeps a worker's modules (and so this pool) from file to file. Starting an
 * in-memory PGlite costs about 1.5 s of CPU and cloning a PostgreSQL database a checkpoint, once
 * per file; a database given back as it was lent (the same tables, columns, grants, triggers and
 * functions, and nobody else connected) is lent again and emptied before its next test like any
 * other. Anything else is closed (and, on PostgreSQL, dropped) as before.
 */
export class DatabasePool<T> {
  private readonly idle: { readonly item: T; readonly fingerprint: string }[] = [];

  /** A database as lent last time, or null (open a new one and `fingerprint` it). */
  take(): { readonly item: T; readonly fingerprint: string } | null {
    return this.idle.pop() ?? null;
  }

  /** Keeps `item` if its schema still has the fingerprint it was lent with; false: close it. */
  async giveBack(item: T, db: Database, lentWith: string, othersConnected = false): Promise<boolean> {
    if (othersConnected) return false;
    const now = await schemaFingerprint(db).catch(() => null);
    if (now !== lentWith) return false;
    this.idle.push({ item, fingerprint: lentWith });
    return true;
  }
}

/**
 * What a test could change and the next file would notice: the public schema's relations, columns,
 * grants, functions and user triggers, and the database's own settings. Rows are not in it (every
 * test empties the tables first); neither are cluster-wide roles (a grant to one shows in relacl).
 */
export async function schemaFingerprint(db: Database): Promise<string> {
  const [row] = await queryRows<{ fingerprint: string }>(
    db,
    sql.raw(`select md5(coalesce(string_agg(item, ',' order by item), '')) as fingerprint from (
    select 'c:' || c.relname || ':' || c.relkind::text || ':' || coalesce(c.relacl::text, '') from pg_class c
      where c.relnamespace = 'public'::regnamespace
    union all select 'a:' || c.relname || '.' || a.attname || ':' || a.atttypid::text || ':' || a.attnotnull::text
      from pg_attribute a join pg_class c on c.oid = a.attrelid
      where c.relnamespace = 'public'::regnamespace and a.attnum > 0 and not a.attisdropped
    union all select 't:' || tgname from pg_trigger where not tgisinternal
    union all select 'p:' || proname from pg_proc where pronamespace = 'public'::regnamespace
    union all select 's:' || setdatabase::text || ':' || array_to_string(setconfig, ',') from pg_db_role_setting
  ) items(item)`),
  );
  if (!row) throw new Error("no schema fingerprint");
  return row.fingerprint;
}
