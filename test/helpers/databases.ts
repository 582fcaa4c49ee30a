import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, inject } from "vitest";
import { openDatabase } from "../../src/db/connect.js";
import { type Database, type DatabaseHandle, type DriverName, queryRows } from "../../src/db/database.js";
import { DatabasePool, schemaFingerprint } from "./database-pool.js";
import { emptyDatabase } from "./empty-database.js";
import { openMigratedPglite } from "./pglite.js";

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

/** The migrated PGlite image saved by test/setup/pglite.ts (undefined under a config without it). */
export const pgliteTemplate = inject("pgliteTemplate");

/** The same database as a data folder on disk, to copy (undefined under a config without it). */
export const pgliteFolder = inject("pgliteFolder");

const pglitePool = new DatabasePool<DatabaseHandle>();

/**
 * A migrated, empty in-memory PGlite for one test file: the one an earlier file of this worker gave
 * back whole (see DatabasePool), else started from the suite's template image. Its `close` gives it
 * back to the pool, or closes it when its schema changed.
 */
export async function openTestPglite(): Promise<DatabaseHandle> {
  const pooled = pglitePool.take();
  let handle: DatabaseHandle;
  let fingerprint: string;
  if (pooled) {
    ({ item: handle, fingerprint } = pooled);
    await emptyDatabase(handle.db);
  } else {
    handle = await openMigratedPglite(pgliteTemplate);
    fingerprint = await schemaFingerprint(handle.db);
  }
  const lent = handle;
  return {
    ...lent,
    close: async () => {
      if (!(await pglitePool.giveBack(lent, lent.db, fingerprint))) await lent.close();
    },
  };
}

/**
 * Where a PostgreSQL suite's tests run:
 * - "per-file" (the default): one database cloned from the migrated template for the whole file,
 *   emptied before each test (as PGlite is). A clone costs about as much as a whole small test.
 * - "per-test": a fresh clone for every test, for tests whose child processes may still be
 *   writing when the test ends, or that need a database nobody else has touched.
 */
export type PostgresIsolation = "per-file" | "per-test";

export interface SuiteOptions {
  readonly postgres?: PostgresIsolation;
}

/**
 * Runs `suite` on PGlite and, when a server is available, on PostgreSQL: one suite, two drivers.
 * For what the SQL decides: the writer modules, their queries, locks and compare-and-sets.
 *
 * Isolation: PGlite shares one in-memory instance per file (it takes seconds to start) and empties
 * every table before each test. PostgreSQL does the same on a database cloned once per file from
 * the migrated template (see `PostgresIsolation`). A failed test's database is kept for
 * inspection: its name is printed, and the file's remaining tests move to a fresh clone.
 */
export function describeEachDriver(
  title: string,
  suite: (ctx: DriverContext) => void,
  options: SuiteOptions = {},
): void {
  describe(`${title} [pglite]`, () => suite(pgliteContext()));
  describe.runIf(postgresServer !== null)(`${title} [postgres]`, () =>
    suite(postgresContext(options.postgres ?? "per-file")),
  );
}

/**
 * Runs `suite` once: on PostgreSQL when a server is available, else on PGlite. For behaviour above
 * the store (the app over HTTP, GitHub, evidence, processes), whose SQL the store suites already run
 * on both drivers (`describeEachDriver`): a second driver would repeat the same statements at
 * twice the cost. `npm run test:embedded` (and CI) runs these suites on PGlite too, as a clone
 * without a server does.
 */
export function describeOnDriver(
  title: string,
  suite: (ctx: DriverContext) => void,
  options: SuiteOptions = {},
): void {
  if (postgresServer !== null)
    describe(`${title} [postgres]`, () => suite(postgresContext(options.postgres ?? "per-file")));
  else describe(`${title} [pglite]`, () => suite(pgliteContext()));
}

/** PostgreSQL only (concurrency needs real connections); reported as skipped without a server. */
export function describePostgres(
  title: string,
  suite: (ctx: DriverContext) => void,
  options: SuiteOptions = {},
): void {
  describe.runIf(postgresServer !== null)(`${title} [postgres]`, () =>
    suite(postgresContext(options.postgres ?? "per-file")),
  );
}

function pgliteContext(): DriverContext {
  let handle: DatabaseHandle | undefined;
  beforeAll(async () => {
    handle = await openTestPglite();
  });
  beforeEach(async () => {
    if (handle) await emptyDatabase(handle.db);
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

interface PostgresDatabase {
  readonly name: string;
  readonly handle: DatabaseHandle;
}

const postgresPool = new DatabasePool<PostgresDatabase>();
const POOL_APPLICATION = "mctl-test";
/** The comment on a failed test's database, which the suite's teardown leaves. */
const KEPT = "kept for inspection";

/** Whether a connection other than the pool's own (a child process) is open on this database. */
async function othersConnected(db: Database): Promise<boolean> {
  const [row] = await queryRows<{ others: boolean }>(
    db,
    sql`select exists (select 1 from pg_stat_activity where datname = current_database()
          and pid <> pg_backend_pid() and backend_type = 'client backend'
          and application_name is distinct from ${POOL_APPLICATION}) as others`,
  );
  return row?.others ?? true;
}

function postgresContext(isolation: PostgresIsolation, maxConnections = 20): DriverContext {
  let current: PostgresDatabase | undefined;
  let fingerprint = "";
  // A clone that no test has used yet needs no emptying.
  let fresh = false;
  const server = () => {
    if (!postgresServer) throw new Error("no PostgreSQL test server");
    return postgresServer;
  };
  const clone = async () => {
    const pooled = isolation === "per-file" ? postgresPool.take() : null;
    if (pooled) {
      current = pooled.item;
      fingerprint = pooled.fingerprint;
      fresh = false;
      return;
    }
    const { adminUrl, template } = server();
    const name = `${template}_${randomBytes(6).toString("hex")}`;
    await withAdmin(adminUrl, (admin) => admin.query(`create database ${name} template ${template}`));
    // Named, so that giving it back can tell the test's own connections from a child process's.
    const url = new URL(databaseUrl(adminUrl, name));
    url.searchParams.set("application_name", POOL_APPLICATION);
    const handle = await openDatabase({ driver: "postgres", url: url.href }, { maxConnections });
    current = { name, handle };
    fingerprint = await schemaFingerprint(handle.db);
    fresh = true;
  };
  const drop = async () => {
    const done = current;
    current = undefined;
    if (!done) return;
    // Given back to the pool whole, when nothing else (a child process) is still connected to it.
    if (
      isolation === "per-file" &&
      (await postgresPool.giveBack(done, done.handle.db, fingerprint, await othersConnected(done.handle.db)))
    )
      return;
    await done.handle.close();
    // `with (force)`: a child process the test killed may not have hung up yet.
    await withAdmin(server().adminUrl, (admin) =>
      admin.query(`drop database if exists ${done.name} with (force)`),
    );
  };
  if (isolation === "per-file") beforeAll(clone);
  beforeEach(async () => {
    if (!current) await clone();
    else if (!fresh) await emptyDatabase(current.handle.db);
    fresh = false;
  });
  afterEach(async (context) => {
    // Read here, not in `onTestFailed`: vitest calls that only after the afterEach hooks.
    if (context.task.result?.state === "fail" && current) {
      console.warn(`[mission-control] kept database ${current.name} of a failed test for inspection`);
      // The suite's teardown drops its databases but this one (test/setup/postgres.ts).
      await current.handle.db.execute(sql.raw(`comment on database ${current.name} is '${KEPT}'`));
      await current.handle.close();
      current = undefined;
    } else if (isolation === "per-test") {
      await drop();
    }
  });
  afterAll(drop);
  return contextOf(
    "postgres",
    () => current?.handle,
    () => databaseUrl(server().adminUrl, current?.name ?? ""),
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
