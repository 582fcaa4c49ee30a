/**
 * npm run bench:dispatch — the dispatcher's cost, on PostgreSQL and PGlite in one run:
 * 1. cycle time with 50 free slots at backlogs of 1k and 100k tickets (goal: ratio ≤ 1.3, i.e. the
 *    cost does not grow with the backlog);
 * 2. claims per second for 10k tickets through runDispatchCycle versus a raw SQL claim loop
 *    (`FOR UPDATE SKIP LOCKED` + attempt + event, one transaction per claim) doing the same work
 *    (goal: ≥ 50% of raw).
 *
 * Environment: MCTL_BENCH_DATABASE_URL (admin URL, default postgres://postgres@127.0.0.1:5432/postgres;
 * "skip" to bench PGlite only), BENCH_CYCLES (default 5).
 */
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import pg from "pg";
import { openDatabase } from "../src/db/connect.js";
import type { DatabaseHandle } from "../src/db/database.js";
import { migrateDatabase } from "../src/db/migrate.js";
import { type DispatchDeps, runDispatchCycle } from "../src/dispatch/cycle.js";
import { createLifecycle, systemClock } from "../src/lifecycle/index.js";

const ADMIN_URL = process.env.MCTL_BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const CYCLES = Number(process.env.BENCH_CYCLES ?? 5);

type Driver = { name: string; open(): Promise<DatabaseHandle>; dispose(): Promise<void> };

function drivers(): Driver[] {
  const list: Driver[] = [];
  if (ADMIN_URL !== "skip") {
    let n = 0;
    const names: string[] = [];
    const admin = async (query: string) => {
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      try {
        await client.query(query);
      } finally {
        await client.end();
      }
    };
    list.push({
      name: "postgres",
      async open() {
        const name = `mctl_bench_dispatch_${process.pid}_${n++}`;
        names.push(name);
        await admin(`create database ${name}`);
        const url = new URL(ADMIN_URL);
        url.pathname = `/${name}`;
        return openDatabase({ driver: "postgres", url: url.toString() });
      },
      async dispose() {
        for (const name of names) await admin(`drop database if exists ${name}`);
      },
    });
  }
  list.push({
    name: "pglite",
    open: () => openDatabase({ driver: "pglite", dataDir: "memory://" }),
    dispose: async () => {},
  });
  return list;
}

/** Bench set-up only: bulk-loads `count` todo tickets with generate_series (not through the lifecycle). */
async function load(handle: DatabaseHandle, count: number): Promise<void> {
  await migrateDatabase(handle);
  await handle.db.execute(sql`
    insert into tickets (id, key, repository, title, priority, created_at, updated_at)
    select g, 'MC-' || g, 'bench/repo', 'ticket ' || g,
           (array['urgent','high','normal','low'])[1 + g % 4]::ticket_priority,
           now() - (${count} - g) * interval '1 second', now()
    from generate_series(1, ${count}) g`);
  await handle.db.execute(sql`select setval(pg_get_serial_sequence('tickets', 'id'), ${count})`);
  await handle.db.execute(sql`analyze`);
}

function dispatcher(handle: DatabaseHandle, slots: number, batch: number): DispatchDeps {
  const lifecycle = createLifecycle({ db: handle.db, clock: systemClock, keyPrefix: "MC" });
  return {
    lifecycle,
    holder: "bench",
    // The slots stay free from cycle to cycle: the claimed attempts are not what is measured.
    sources: [{ name: "bench", count: async () => 0 }],
    launcherFor: () => ({
      kind: "noop",
      launch: async () => ({ ok: true, duplicate: false, detail: "bench" }),
    }),
    settings: {
      maxWorkers: slots,
      attemptLeaseMs: 3_600_000,
      dispatchLeaseMs: 60_000,
      backoff: { baseMs: 1000, capMs: 1000 },
      maxAttempts: 3,
      batchSize: batch,
      scanLimit: 1000,
      policy: { agentIdentities: ["agent"], excludedCampaigns: [], excludedLabels: [] },
      workerIdentity: "agent",
    },
  };
}

async function cycleMs(driver: Driver, backlog: number): Promise<number> {
  const handle = await driver.open();
  try {
    await load(handle, backlog);
    const deps = dispatcher(handle, 50, 50);
    await runDispatchCycle(deps); // warm-up
    const times: number[] = [];
    for (let i = 0; i < CYCLES; i++) {
      const t0 = performance.now();
      const record = await runDispatchCycle(deps);
      times.push(performance.now() - t0);
      if (record.counts.claimed !== 50)
        throw new Error(`expected 50 claims, got ${JSON.stringify(record.counts)}`);
    }
    return median(times);
  } finally {
    await handle.close();
  }
}

async function dispatcherClaimsPerSecond(driver: Driver, tickets: number): Promise<number> {
  const handle = await driver.open();
  try {
    await load(handle, tickets);
    const deps = dispatcher(handle, tickets, 500);
    const t0 = performance.now();
    let claimed = 0;
    while (claimed < tickets) {
      const record = await runDispatchCycle(deps);
      const n = record.counts.claimed ?? 0;
      if (n === 0) throw new Error("a cycle claimed nothing");
      claimed += n;
    }
    return claimed / ((performance.now() - t0) / 1000);
  } finally {
    await handle.close();
  }
}

/** The baseline: the classic SKIP LOCKED claim, plus the same attempt, event and mirror-job rows, per transaction. */
async function rawClaimsPerSecond(driver: Driver, tickets: number): Promise<number> {
  const handle = await driver.open();
  try {
    await load(handle, tickets);
    const t0 = performance.now();
    for (let claimed = 0; claimed < tickets; claimed++) {
      await handle.db.transaction(async (tx) => {
        const attemptId = randomUUID();
        const result = (await tx.execute(sql`
          with next as (
            select id from tickets where state = 'todo' and hold is null
            order by priority, created_at, id limit 1 for update skip locked)
          update tickets t set state = 'in_progress', version = t.version + 1, attempt_count = t.attempt_count + 1,
                 current_attempt_id = ${attemptId}, updated_at = now()
          from next where t.id = next.id
          returning t.id, t.key, t.version, t.attempt_count`)) as unknown as {
          rows: { id: number; key: string; version: number; attempt_count: number }[];
        };
        const row = result.rows[0];
        if (!row) throw new Error("raw loop ran out of tickets");
        await tx.execute(sql`
          insert into attempts (id, ticket_id, number, worker, status, launch_key, lease_expires_at)
          values (${attemptId}, ${row.id}, ${row.attempt_count}, 'agent', 'launching',
                  ${`${row.key}/${row.attempt_count}`}, now() + interval '1 hour')`);
        await tx.execute(sql`
          with event as (
            insert into ticket_events (ticket_id, from_state, to_state, actor_kind, actor_id, reason, attempt_id, version)
            values (${row.id}, 'todo', 'in_progress', 'dispatcher', 'bench', 'claimed', ${attemptId}, ${row.version})
            returning id, ticket_id)
          insert into mirror_jobs (ticket_id, event_id, created_at, next_attempt_at)
          select ticket_id, id, now(), now() from event`);
      });
    }
    return tickets / ((performance.now() - t0) / 1000);
  } finally {
    await handle.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function main() {
  const lines: string[] = [];
  for (const driver of drivers()) {
    try {
      const small = await cycleMs(driver, 1_000);
      const large = await cycleMs(driver, 100_000);
      const ours = await dispatcherClaimsPerSecond(driver, 10_000);
      const raw = await rawClaimsPerSecond(driver, 10_000);
      lines.push(
        `${driver.name}`,
        `  cycle with 50 free slots, backlog   1k: ${small.toFixed(1).padStart(8)} ms (median of ${CYCLES})`,
        `  cycle with 50 free slots, backlog 100k: ${large.toFixed(1).padStart(8)} ms`,
        `  ratio 100k / 1k:                        ${(large / small).toFixed(2)} (goal ≤ 1.30)`,
        `  claims/s, 10k tickets, dispatcher:      ${ours.toFixed(0).padStart(8)}`,
        `  claims/s, 10k tickets, raw SKIP LOCKED: ${raw.toFixed(0).padStart(8)}`,
        `  ratio dispatcher / raw:                 ${(ours / raw).toFixed(2)} (goal ≥ 0.50)`,
      );
      console.log(lines.slice(-7).join("\n"));
    } finally {
      await driver.dispose();
    }
  }
}

await main();
