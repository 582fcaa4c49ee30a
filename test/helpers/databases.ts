import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, inject } from "vitest";
import { openDatabase } from "../../src/db/connect.js";
import { type Database, type DatabaseHandle, type DriverName, queryRows } from "../../src/db/database.js";
import { migrateDatabase } from "../../src/db/migrate.js";

export interface DriverContext {
  readonly driver: DriverName;
  /** The current test's database (valid inside tests and hooks). */
  db(): Database;
  handle(): DatabaseHandle;
  /** PostgreSQL only: the current test database's URL, for child processes. */
  url(): string;
}

/** The PostgreSQL server prepared by test/setup/postgres.ts, or null when the suite is skipped. */
export const postgresServer = inject("postgres");

/**
 * Runs `suite` on PGlite and, when a server is available, on PostgreSQL: one suite, two drivers.
 *
 * Isolation: PGlite shares one in-memory instance per file (it takes seconds to start) and empties
 * every table before each test. PostgreSQL gives each test its own database cloned from the
 * migrated template, dropped only when the test passed, so a failure can be inspected.
 */
export function describeEachDriver(title: string, suite: (ctx: DriverContext) => void): void {
  describe(`${title} [pglite]`, () => suite(pgliteContext()));
  describe.runIf(postgresServer !== null)(`${title} [postgres]`, () => suite(postgresContext()));
}

/** PostgreSQL only (concurrency needs real connections); reported as skipped without a server. */
export function describePostgres(title: string, suite: (ctx: DriverContext) => void): void {
  describe.runIf(postgresServer !== null)(`${title} [postgres]`, () => suite(postgresContext()));
}

function pgliteContext(): DriverContext {
  let handle: DatabaseHandle | undefined;
  beforeAll(async () => {
    handle = await openDatabase({ driver: "pglite", dataDir: "memory://" });
    await migrateDatabase(handle);
  });
  beforeEach(async () => {
    if (handle) await emptyAllTables(handle.db);
  });
  afterAll(async () => handle?.close());
  return contextOf(
    "pglite",
    () => handle,
    () => {
      throw new Error("an in-memory PGlite database has no URL; use describePostgres for child processes");
    },
  );
}

function postgresContext(maxConnections = 20): DriverContext {
  let handle: DatabaseHandle | undefined;
  let name = "";
  let failed = false;
  beforeEach(async (context) => {
    const server = postgresServer;
    if (!server) throw new Error("no PostgreSQL test server");
    failed = false;
    context.onTestFailed(() => {
      failed = true;
    });
    name = `mctl_t_${randomBytes(6).toString("hex")}`;
    await withAdmin(server.adminUrl, (admin) =>
      admin.query(`create database ${name} template ${server.template}`),
    );
    handle = await openDatabase(
      { driver: "postgres", url: databaseUrl(server.adminUrl, name) },
      { maxConnections },
    );
  });
  afterEach(async () => {
    await handle?.close();
    handle = undefined;
    const server = postgresServer;
    if (!server) return;
    if (failed) console.warn(`[mission-control] kept database ${name} of a failed test for inspection`);
    else await withAdmin(server.adminUrl, (admin) => admin.query(`drop database if exists ${name}`));
  });
  return contextOf(
    "postgres",
    () => handle,
    () => databaseUrl(postgresServer?.adminUrl ?? "", name),
  );
}

function contextOf(
  driver: DriverName,
  current: () => DatabaseHandle | undefined,
  url: () => string,
): DriverContext {
  const handle = () => {
    const h = current();
    if (!h) throw new Error(`the ${driver} test database is not open (used outside a test?)`);
    return h;
  };
  return { driver, handle, db: () => handle().db, url };
}

export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Test reset only (never in src/): empties every application table and restarts identities. */
async function emptyAllTables(db: Database): Promise<void> {
  const tables = await queryRows<{ name: string }>(
    db,
    sql`select quote_ident(tablename) as name from pg_tables where schemaname = 'public'`,
  );
  if (tables.length) {
    await db.execute(sql.raw(`truncate ${tables.map((t) => t.name).join(", ")} restart identity cascade`));
  }
}
