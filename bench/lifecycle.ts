/**
 * npm run bench:lifecycle — transitions per second through the lifecycle module versus a raw SQL
 * compare-and-set loop doing the same work (UPDATE … WHERE version/state + INSERT event and its
 * mirror-outbox job, one transaction each), in the same run, on PostgreSQL and on PGlite. Prints both figures and the ratio.
 *
 * Options (environment): BENCH_TICKETS (default 1000), BENCH_ROUNDS (default 3),
 * BENCH_CONCURRENCY (PostgreSQL loops in parallel, default 8), MCTL_BENCH_DATABASE_URL
 * (admin URL of the server, default postgres://postgres@127.0.0.1:5432/postgres; "skip" to skip it).
 */
import type { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import pg from "pg";
import { openDatabase } from "../src/db/connect.js";
import type { DatabaseHandle } from "../src/db/database.js";
import { migrateDatabase } from "../src/db/migrate.js";
import { createLifecycle, systemClock } from "../src/lifecycle/index.js";

const TICKETS = Number(process.env.BENCH_TICKETS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PG_CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const ADMIN_URL = process.env.MCTL_BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** Each step moves a ticket one way round the claim/fail loop: todo → in_progress → todo → … */
interface Step {
  key: string;
  from: "todo" | "in_progress";
  to: "todo" | "in_progress";
  reason: "claimed" | "attempt_failed";
  version: number;
}

type RawCas = (step: Step) => Promise<boolean>;

async function main() {
  const results: string[] = [];
  if (ADMIN_URL !== "skip") {
    const name = `mctl_bench_${process.pid}`;
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    try {
      const url = new URL(ADMIN_URL);
      url.pathname = `/${name}`;
      const handle = await openDatabase(
        { driver: "postgres", url: url.toString() },
        { maxConnections: PG_CONCURRENCY },
      );
      results.push(await benchmark(handle, PG_CONCURRENCY, rawPostgres(handle)));
      await handle.close();
    } finally {
      await admin.query(`drop database if exists ${name}`);
      await admin.end();
    }
  }
  const lite = await openDatabase({ driver: "pglite", dataDir: "memory://" });
  results.push(await benchmark(lite, 1, rawPglite(lite)));
  await lite.close();
  console.log(`\n${results.join("\n")}`);
}

async function benchmark(handle: DatabaseHandle, concurrency: number, raw: RawCas): Promise<string> {
  await migrateDatabase(handle);
  const lifecycle = createLifecycle({ db: handle.db, clock: systemClock, keyPrefix: "MC" });
  for (let i = 0; i < TICKETS; i++) {
    const created = await lifecycle.createTicket(
      { repository: "bench/repo", title: `ticket ${i}` },
      { kind: "human", id: "bench" },
    );
    if (!created.ok) throw new Error(created.message);
  }
  // Both paths continue from the tickets' current versions, so they do identical work.
  const version = new Map<string, number>();
  for (let i = 1; i <= TICKETS; i++) version.set(`MC-${i}`, 1);
  const nextStep = (key: string): Step => {
    const v = version.get(key) ?? 1;
    const claimed = v % 2 === 0;
    return claimed
      ? { key, from: "in_progress", to: "todo", reason: "attempt_failed", version: v }
      : { key, from: "todo", to: "in_progress", reason: "claimed", version: v };
  };
  const viaLifecycle: RawCas = async (step) => {
    const result = await lifecycle.transition({
      ticket: step.key,
      from: step.from,
      expectedVersion: step.version,
      to: step.to,
      reason: step.reason,
      actor: { kind: "dispatcher", id: "bench" },
    });
    return result.ok;
  };
  const timeRound = async (apply: RawCas): Promise<number> => {
    const keys = [...version.keys()];
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: concurrency }, async (_, lane) => {
        for (let i = lane; i < keys.length; i += concurrency) {
          const key = keys[i] as string;
          const step = nextStep(key);
          if (!(await apply(step)))
            throw new Error(`benchmark step lost its compare-and-set: ${JSON.stringify(step)}`);
          version.set(key, step.version + 1);
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return keys.length / seconds;
  };
  // Warm up both paths, then alternate rounds so drift affects both alike.
  await timeRound(raw);
  await timeRound(viaLifecycle);
  const rawRates: number[] = [];
  const lifecycleRates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    rawRates.push(await timeRound(raw));
    lifecycleRates.push(await timeRound(viaLifecycle));
  }
  const rawRate = median(rawRates);
  const lifecycleRate = median(lifecycleRates);
  const [{ events } = { events: 0 }] = (
    (await handle.db.execute(sql`select count(*)::int as events from ticket_events`)) as unknown as {
      rows: { events: number }[];
    }
  ).rows;
  return (
    `${handle.driver.padEnd(8)} concurrency ${concurrency}, ${TICKETS} tickets × ${ROUNDS} rounds (median), ${events} events written\n` +
    `  raw SQL compare-and-set: ${rawRate.toFixed(0).padStart(7)} transitions/s\n` +
    `  lifecycle module:        ${lifecycleRate.toFixed(0).padStart(7)} transitions/s\n` +
    `  ratio lifecycle / raw:   ${(lifecycleRate / rawRate).toFixed(2)} (goal ≥ 0.50)`
  );
}

const UPDATE = `update tickets set state = $1, version = version + 1, updated_at = now()
  where key = $2 and version = $3 and state = $4 returning id, version`;
// The event and its mirror job (the outbox row the lifecycle writes with every event).
const INSERT = `with event as (
    insert into ticket_events (ticket_id, from_state, to_state, actor_kind, actor_id, reason, version, detail)
    values ($1, $2, $3, 'dispatcher', 'bench', $4, $5, '{}') returning id, ticket_id)
  insert into mirror_jobs (ticket_id, event_id, created_at, next_attempt_at) select ticket_id, id, now(), now() from event`;

function rawPostgres(handle: DatabaseHandle): RawCas {
  const pool = (handle.db as unknown as { $client: pg.Pool }).$client;
  return async (step) => {
    const client = await pool.connect();
    try {
      await client.query("begin");
      const updated = await client.query<{ id: string; version: number }>(UPDATE, [
        step.to,
        step.key,
        step.version,
        step.from,
      ]);
      const row = updated.rows[0];
      if (row) await client.query(INSERT, [row.id, step.from, step.to, step.reason, row.version]);
      await client.query("commit");
      return row !== undefined;
    } catch (error) {
      await client.query("rollback");
      throw error;
    } finally {
      client.release();
    }
  };
}

function rawPglite(handle: DatabaseHandle): RawCas {
  const client = (handle.db as unknown as { $client: PGlite }).$client;
  return (step) =>
    client.transaction(async (tx) => {
      const updated = await tx.query<{ id: string; version: number }>(UPDATE, [
        step.to,
        step.key,
        step.version,
        step.from,
      ]);
      const row = updated.rows[0];
      if (row) await tx.query(INSERT, [row.id, step.from, step.to, step.reason, row.version]);
      return row !== undefined;
    });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

await main();
