/**
 * Global set-up for the PostgreSQL suite: probes the server once, migrates a template database,
 * and tells every test file where it is. Each PostgreSQL test then runs on its own database cloned
 * from that template (see test/helpers/databases.ts).
 *
 * - MCTL_TEST_DATABASE_URL: admin connection (default postgres://postgres@127.0.0.1:5432/postgres).
 * - MCTL_REQUIRE_POSTGRES=1 (set by CI): an unreachable server fails the run instead of skipping.
 * - MCTL_TEST_POSTGRES=off (`npm run test:embedded`): the run leaves the server alone and every suite
 *   runs on PGlite, as on a clone without a server.
 */
import pg from "pg";
import type { TestProject } from "vitest/node";
import { openDatabase } from "../../src/db/connect.js";
import { migrateDatabase } from "../../src/db/migrate.js";

export interface PostgresTestServer {
  readonly adminUrl: string;
  readonly template: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    postgres: PostgresTestServer | null;
  }
}

const DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/postgres";

export default async function setup(project: TestProject) {
  if (process.env.MCTL_TEST_POSTGRES === "off") {
    console.warn(
      "\n[mission-control] MCTL_TEST_POSTGRES=off: every suite runs on the embedded database (PGlite).\n",
    );
    project.provide("postgres", null);
    return;
  }
  const adminUrl = process.env.MCTL_TEST_DATABASE_URL || DEFAULT_URL;
  const required = process.env.MCTL_REQUIRE_POSTGRES === "1";
  const template = `mctl_test_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3_000 });
  try {
    await admin.connect();
  } catch (error) {
    const why = error instanceof Error ? error.message || error.name : String(error);
    if (required) {
      throw new Error(`MCTL_REQUIRE_POSTGRES=1 but PostgreSQL is unreachable at ${adminUrl}: ${why}`, {
        cause: error,
      });
    }
    console.warn(
      `\n[mission-control] PostgreSQL suite SKIPPED: cannot connect to ${adminUrl} (${why}).\n` +
        "  The same tests still ran on the embedded database (PGlite).\n" +
        "  To run them on PostgreSQL, start a server and set MCTL_TEST_DATABASE_URL if it is not the default;\n" +
        "  `npm run test:pg` (and CI) make an unreachable server a failure.\n",
    );
    project.provide("postgres", null);
    return;
  }
  await admin.query(`drop database if exists ${template}`);
  await admin.query(`create database ${template}`);
  const url = new URL(adminUrl);
  url.pathname = `/${template}`;
  const handle = await openDatabase({ driver: "postgres", url: url.toString() });
  await migrateDatabase(handle);
  await handle.close();
  project.provide("postgres", { adminUrl, template });

  return async () => {
    // The clones the workers kept from file to file (test/helpers/database-pool.ts), but those of
    // failed tests, kept for inspection.
    const clones = await admin.query<{ name: string }>(
      `select datname as name from pg_database
        where starts_with(datname, $1) and shobj_description(oid, 'pg_database') is distinct from $2`,
      [`${template}_`, "kept for inspection"],
    );
    for (const { name } of clones.rows) await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`drop database if exists ${template}`);
    await admin.end();
  };
}
