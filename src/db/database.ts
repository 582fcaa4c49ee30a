import type { SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type * as schema from "./schema.js";

/** The drizzle database every module receives; both drivers (pg and PGlite) satisfy it. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

/** A transaction handle, as passed to `db.transaction(async (tx) => …)`. */
export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];

/** Either the database or an open transaction: read helpers accept both. */
export type Executor = Database | Transaction;

export type DriverName = "postgres" | "pglite";

/** An open database: the drizzle handle plus what is needed to describe and close it. */
export interface DatabaseHandle {
  readonly db: Database;
  readonly driver: DriverName;
  /** Where it points, safe to print (passwords removed). */
  readonly description: string;
  close(): Promise<void>;
}

/**
 * Runs raw SQL and returns its rows. Both drivers answer `{ rows }`; drizzle's shared type cannot
 * say so, hence the one cast here.
 */
export async function queryRows<T>(db: Executor, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}
