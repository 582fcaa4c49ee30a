/**
 * Databases that a test and the `mctl` processes it starts can share: an embedded PGlite data
 * folder (copied from a migrated template, so each test starts clean and fast) or a PostgreSQL
 * database cloned from the suite's migrated template once per file. The test opens its database only briefly,
 * like the runner does: PGlite serves one process at a time.
 */
import { randomBytes } from "node:crypto";
import { cp, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe } from "vitest";
import { openDatabase } from "../../../src/db/connect.js";
import type { Database } from "../../../src/db/database.js";
import { migrateDatabase } from "../../../src/db/migrate.js";
import type { DatabaseTarget } from "../../../src/db/target.js";
import { type Clock, createLifecycle, type Lifecycle, systemClock } from "../../../src/lifecycle/index.js";
import { databaseUrl, pgliteFolder, postgresServer } from "../../helpers/databases.js";
import { emptyDatabase } from "../../helpers/empty-database.js";

export interface SharedDatabase {
  readonly driver: "pglite" | "postgres";
  /** Environment for a child `mctl` pointing at this test's database. */
  env(): Record<string, string>;
  /** Opens the database, runs `work` with a lifecycle (on the system clock by default), and closes it. */
  withLifecycle<T>(work: (lifecycle: Lifecycle) => Promise<T>, clock?: Clock): Promise<T>;
  /** Opens the database, runs `work` on it, and closes it. */
  withDatabase<T>(work: (db: Database) => Promise<T>): Promise<T>;
}

/**
 * Runs `suite` on a shared PGlite folder and, when a server is available, on PostgreSQL: for what
 * depends on the driver. The runner handing the embedded database to its agent and back
 * (runner-completion), and the sandbox keeping the agent out of the embedded database's folder
 * (hostile-agent-sandboxed), exist only on PGlite. Such a file opens PGlite in the test process,
 * so it runs in the "embedded" workers (vitest.config.ts): keep these suites in files of their own.
 */
export function describeEachSharedDatabase(title: string, suite: (db: SharedDatabase) => void): void {
  describe(`${title} [pglite]`, () => suite(sharedPglite()));
  describe.runIf(postgresServer !== null)(`${title} [postgres]`, () => suite(sharedPostgres()));
}

/**
 * Runs `suite` once: on PostgreSQL when a server is available (each PGlite process start costs
 * about a second of CPU), otherwise on PGlite. For behaviour decided by git and the lifecycle
 * alone, which the lifecycle's own suite already covers on both drivers.
 */
export function describeOnSharedDatabase(title: string, suite: (db: SharedDatabase) => void): void {
  if (postgresServer !== null) describe(`${title} [postgres]`, () => suite(sharedPostgres()));
  else describe(`${title} [pglite]`, () => suite(sharedPglite()));
}

function withTarget(target: () => DatabaseTarget) {
  const withDatabase = async <T>(work: (db: Database) => Promise<T>): Promise<T> => {
    const handle = await openDatabase(target(), { lockWaitMs: 60_000 });
    try {
      return await work(handle.db);
    } finally {
      await handle.close();
    }
  };
  return {
    withDatabase,
    withLifecycle: <T>(work: (lifecycle: Lifecycle) => Promise<T>, clock: Clock = systemClock): Promise<T> =>
      withDatabase((db) => work(createLifecycle({ db, clock, keyPrefix: "MC" }))),
  };
}

function sharedPglite(): SharedDatabase {
  let root = "";
  let template = "";
  let dataDir = "";
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), "mctl-worker-db-"));
    if (pgliteFolder) {
      // The suite's migrated data folder (test/setup/pglite.ts): no initdb, no migrations here.
      template = pgliteFolder;
      return;
    }
    template = path.join(root, "template");
    const handle = await openDatabase({ driver: "pglite", dataDir: template });
    await migrateDatabase(handle);
    await handle.close();
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });
  beforeEach(async () => {
    dataDir = path.join(root, `data-${randomBytes(4).toString("hex")}`);
    await cp(template, dataDir, { recursive: true });
  });
  return {
    driver: "pglite",
    env: () => ({ MCTL_DATA_DIR: dataDir }),
    ...withTarget(() => ({ driver: "pglite", dataDir })),
  };
}

/**
 * One database cloned per file, emptied before each test (test/helpers/databases.ts explains why);
 * a failed test's database is kept for inspection and the file's remaining tests get a new clone.
 */
function sharedPostgres(): SharedDatabase {
  let name = "";
  let used = false;
  const admin = async (query: string) => {
    const client = new pg.Client({ connectionString: postgresServer?.adminUrl });
    await client.connect();
    try {
      await client.query(query);
    } finally {
      await client.end();
    }
  };
  const url = () => databaseUrl(postgresServer?.adminUrl ?? "", name);
  const clone = async () => {
    if (!postgresServer) throw new Error("no PostgreSQL test server");
    name = `mctl_t_worker_${randomBytes(5).toString("hex")}`;
    used = false;
    await admin(`create database ${name} template ${postgresServer.template}`);
  };
  beforeAll(clone);
  beforeEach(async () => {
    if (!name) await clone();
    else if (used) {
      const handle = await openDatabase({ driver: "postgres", url: url() });
      try {
        await emptyDatabase(handle.db);
      } finally {
        await handle.close();
      }
    }
    used = true;
  });
  afterEach(async (context) => {
    // Read here, not in `onTestFailed`: vitest calls that only after the afterEach hooks.
    if (context.task.result?.state === "fail" && name) {
      console.warn(`[mission-control] kept database ${name} of a failed test for inspection`);
      name = "";
    }
  });
  afterAll(async () => {
    if (name) await admin(`drop database if exists ${name} with (force)`);
  });
  return {
    driver: "postgres",
    env: () => ({ DATABASE_URL: url() }),
    ...withTarget(() => ({ driver: "postgres", url: url() })),
  };
}
