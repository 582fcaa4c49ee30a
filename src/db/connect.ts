import { chmod, mkdir } from "node:fs/promises";
import { sql } from "drizzle-orm";
import type { Database, DatabaseHandle } from "./database.js";
import { lockDataDir } from "./data-dir-lock.js";
import { DatabaseUnavailableError } from "./errors.js";
import * as schema from "./schema.js";
import { type DatabaseTarget, describeTarget } from "./target.js";

export interface OpenOptions {
  /** Pool size for PostgreSQL (ignored by PGlite, which has one connection). */
  readonly maxConnections?: number;
  readonly connectTimeoutMs?: number;
  /** PGlite only: how long to wait for another process to release the data folder (default 0). */
  readonly lockWaitMs?: number;
}

/**
 * Opens the database named by `target` and checks that it answers. The one place that creates
 * database clients; everything else receives the handle. Each driver is loaded only when it is
 * used: the embedded database is most of an `mctl` start-up's work, and a PostgreSQL user never
 * needs it (nor the embedded database user `pg`).
 */
export async function openDatabase(
  target: DatabaseTarget,
  options: OpenOptions = {},
): Promise<DatabaseHandle> {
  return target.driver === "postgres"
    ? openPostgres(target.url, options)
    : openPglite(target.dataDir, options.lockWaitMs ?? 0);
}

async function openPostgres(url: string, options: OpenOptions): Promise<DatabaseHandle> {
  const description = describeTarget({ driver: "postgres", url });
  const [{ default: pg }, { drizzle: drizzlePg }] = await Promise.all([
    import("pg"),
    import("drizzle-orm/node-postgres"),
  ]);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
  });
  // A client losing its connection must not crash the process; the next query reports it. The
  // pool's own listener covers idle clients only: it is removed while a client is checked out (a
  // transaction between two statements), and a socket reset then would be an unhandled 'error'.
  pool.on("error", () => {});
  pool.on("connect", (client) => client.on("error", () => {}));
  const db = drizzlePg(pool, { schema }) as unknown as Database;
  try {
    await db.execute(sql`select 1`);
  } catch (error) {
    await pool.end().catch(() => {});
    throw new DatabaseUnavailableError(
      `cannot connect to ${description}: ${reason(error)}. Check that the server is running and DATABASE_URL is right.`,
      { cause: error },
    );
  }
  return { db, driver: "postgres", description, close: () => pool.end() };
}

async function openPglite(dataDir: string, lockWaitMs: number): Promise<DatabaseHandle> {
  const description = describeTarget({ driver: "pglite", dataDir });
  const memory = dataDir === "memory://";
  let unlock = async () => {};
  try {
    if (!memory) {
      // Only its owner may open the data: an agent running as another user must not reach it.
      await mkdir(dataDir, { recursive: true, mode: 0o700 });
      await chmod(dataDir, 0o700).catch(() => undefined);
      unlock = await lockDataDir(dataDir, lockWaitMs);
    }
    const [{ PGlite }, { drizzle: drizzlePglite }] = await Promise.all([
      import("@electric-sql/pglite"),
      import("drizzle-orm/pglite"),
    ]);
    const client = memory ? new PGlite() : new PGlite(dataDir);
    await client.waitReady;
    const db = drizzlePglite(client, { schema }) as unknown as Database;
    return {
      db,
      driver: "pglite",
      description,
      close: async () => {
        await client.close();
        await unlock();
      },
    };
  } catch (error) {
    await unlock();
    if (error instanceof DatabaseUnavailableError) throw error;
    throw new DatabaseUnavailableError(`cannot open ${description}: ${reason(error)}`, { cause: error });
  }
}

/** The root cause's message: drizzle wraps driver errors in "Failed query: …", which says nothing here. */
function reason(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length) return reason(error.errors[0]);
  if (error instanceof Error && error.cause !== undefined) return reason(error.cause);
  if (error instanceof Error) return error.message || (error as NodeJS.ErrnoException).code || error.name;
  return String(error);
}
