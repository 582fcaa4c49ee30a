/**
 * The hardening corpus's app: the app harness (test/app/support/harness.ts: the real Probot app on
 * a local port against the GitHub stand-in) logging through the production logger (src/app/log.ts)
 * into memory, so a test can read what the app logged and check that nothing secret is in it.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe } from "vitest";
import type { LogLevel } from "../../../src/app/log.js";
import { openDatabase } from "../../../src/db/connect.js";
import { type Database, type DatabaseHandle, queryRows } from "../../../src/db/database.js";
import { type GitHubStandin, signWebhook } from "../../../src/github-standin/index.js";
import { systemClock } from "../../../src/lifecycle/index.js";
import { mirrorUntilIdle } from "../../app/support/drain.js";
import { type AppHarness, SECRET, startApp } from "../../app/support/harness.js";
import { databaseUrl, openTestPglite, postgresServer } from "../../helpers/databases.js";

export { SECRET };

/** Every line the app logged, parsed. */
export interface LogSink {
  readonly lines: string[];
  records(): Record<string, unknown>[];
  clear(): void;
}

export function memoryLog(): LogSink & { write(line: string): void } {
  const lines: string[] = [];
  return {
    lines,
    write: (line: string) => {
      lines.push(line);
    },
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    clear: () => {
      lines.length = 0;
    },
  };
}

export interface HardenedApp extends AppHarness {
  readonly log: LogSink;
  /** Runs the mirror worker until nothing is pending. */
  mirror(): Promise<void>;
}

/** The app harness logging at `level` into memory, its verifier reading GitHub once per fact. */
export async function startHardenedApp(
  db: Database,
  options: { level?: LogLevel; maxWebhookBytes?: number } = {},
): Promise<HardenedApp> {
  const sink = memoryLog();
  const app = await startApp(db, {
    log: { level: options.level ?? "info", destination: sink },
    verifierSingleTry: true,
    ...(options.maxWebhookBytes === undefined ? {} : { maxWebhookBytes: options.maxWebhookBytes }),
  });
  return {
    ...app,
    log: sink,
    async mirror() {
      await mirrorUntilIdle({
        issues: app.lifecycle.issues,
        store: app.store,
        clock: systemClock,
        octokitFor: app.runtime.octokitFor,
        worker: "hardening",
        ticketLabel: "mission-control",
        retry: { baseMs: 1, capMs: 5 },
        leaseMs: 60_000,
        batchLimit: 20,
        // As in src/app/main.ts: the workers' failures go to the app's logger.
        log: (message, detail) => app.runtime.probot.log.warn(detail ?? {}, message),
      });
    },
  };
}

/**
 * One database for a whole file: a PostgreSQL database cloned from the suite's migrated template
 * when the server is there (test/setup/postgres.ts; a clone takes a fraction of a second), else an
 * embedded PGlite one (several seconds of CPU to start). The corpus is about inputs, not drivers:
 * one real database is enough, and the cheaper one keeps the corpus within its time budget.
 */
export function describeOnDatabase(title: string, suite: (db: () => Database) => void): void {
  const server = postgresServer;
  describe(`${title} [${server ? "postgres" : "pglite"}]`, () => {
    let handle: DatabaseHandle | undefined;
    let name: string | null = null;
    beforeAll(async () => {
      if (server) {
        name = `mctl_h_${randomBytes(6).toString("hex")}`;
        await withAdmin(server.adminUrl, `create database ${name} template ${server.template}`);
        handle = await openDatabase({ driver: "postgres", url: databaseUrl(server.adminUrl, name) });
      } else {
        handle = await openTestPglite();
      }
    });
    afterAll(async () => {
      await handle?.close();
      if (server && name) await withAdmin(server.adminUrl, `drop database if exists ${name}`);
    });
    suite(() => {
      if (!handle) throw new Error("the database is not open yet");
      return handle.db;
    });
  });
}

async function withAdmin(adminUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export interface Posted {
  readonly status: number;
  readonly body: string;
  readonly id: string;
}

/** POSTs a webhook over HTTP; signed with the app's secret unless `signature` says otherwise. */
export async function postWebhook(
  url: string,
  input: {
    event: string;
    payload?: unknown;
    body?: string;
    id?: string;
    signature?: string | null;
    headers?: Record<string, string>;
  },
): Promise<Posted> {
  const body = input.body ?? JSON.stringify(input.payload);
  const id = input.id ?? randomUUID();
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-github-event": input.event,
    "x-github-delivery": id,
    ...input.headers,
  };
  const signature = input.signature === undefined ? signWebhook(SECRET, body) : input.signature;
  if (signature !== null) headers["x-hub-signature-256"] = signature;
  const response = await fetch(url, { method: "POST", headers, body });
  return { status: response.status, body: await response.text(), id };
}

/** Tables a webhook may write even when it changes no state: the delivery log and the failure log. */
const BOOKKEEPING = new Set([
  "webhook_deliveries",
  "webhook_failures",
  "evidence_http_cache",
  "__drizzle_migrations",
]);

/** Every state table's rows, as JSON text, for a before/after comparison. */
export async function stateSnapshot(db: Database): Promise<Record<string, string>> {
  const tables = await queryRows<{ name: string }>(
    db,
    sql`select tablename as name from pg_tables where schemaname = 'public' order by tablename`,
  );
  const snapshot: Record<string, string> = {};
  for (const { name } of tables) {
    if (BOOKKEEPING.has(name)) continue;
    const rows = await queryRows<Record<string, unknown>>(
      db,
      sql.raw(`select * from "${name.replace(/"/g, '""')}" order by 1`),
    );
    snapshot[name] = JSON.stringify(rows);
  }
  return snapshot;
}

/** A fresh copy of the last payload the stand-in sent for `event` (and `action`). */
export function lastPayload(gh: GitHubStandin, event: string, action?: string): Record<string, unknown> {
  const delivery = gh.webhooks.deliveries.findLast(
    (d) => d.event === event && (action === undefined || d.action === action),
  );
  if (!delivery) throw new Error(`the stand-in sent no ${event}${action ? `.${action}` : ""}`);
  return structuredClone(delivery.payload) as Record<string, unknown>;
}
