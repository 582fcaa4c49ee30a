/**
 * npm run bench:peers — jobs per second through Mission Control (claim → start → complete through
 * the lifecycle, with the full audit trail: events, mirror jobs, attempts, the completion's
 * re-evaluation request) versus pg-boss 10 (fetch/complete, batch 1) and graphile-worker 0.17
 * (concurrency 1), on the same PostgreSQL, in alternating rounds (MC, boss, graphile, graphile,
 * boss, MC …). For each: jobs/s, statements per job (counted at the driver) and rows written per
 * job (pg_stat_user_tables inserts + updates). Then `mctl --version` start-up against `node -e 0`.
 *
 * Options (environment): BENCH_JOBS (default 5000), BENCH_ROUNDS (pairs of rounds, default 1),
 * MCTL_BENCH_DATABASE_URL (admin URL, default postgres://postgres@127.0.0.1:5432/postgres).
 * Needs `npm run build` for the start-up figure. Not a test: one run, figures in docs/benchmarks.md.
 */
import { execFileSync } from "node:child_process";
import { drizzle } from "drizzle-orm/node-postgres";
import { Logger, makeWorkerUtils, run as runGraphile } from "graphile-worker";
import pg from "pg";
import PgBoss from "pg-boss";
import { openDatabase } from "../src/db/connect.js";
import type { Database } from "../src/db/database.js";
import { migrateDatabase } from "../src/db/migrate.js";
import * as schema from "../src/db/schema.js";
import { createLifecycle, systemClock } from "../src/lifecycle/index.js";

const JOBS = Number(process.env.BENCH_JOBS ?? 5000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const ADMIN_URL = process.env.MCTL_BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

interface Result {
  readonly system: string;
  readonly seconds: number;
  readonly statements: number;
  readonly rows: number;
}

/** A pool whose clients count every query they send. */
function countingPool(url: string, max = 4): { pool: pg.Pool; sent: { n: number } } {
  const sent = { n: 0 };
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on("connect", (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      sent.n++;
      return query(...args);
    };
  });
  return { pool, sent };
}

/** Rows inserted, updated or deleted so far (call after the measured pool ended: exiting backends flush their counts). */
async function rowsWritten(admin: pg.Pool): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await admin.query("select pg_stat_clear_snapshot()").catch(() => undefined);
  const { rows } = await admin.query<{ n: string }>(
    "select coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::text as n from pg_stat_user_tables",
  );
  return Number(rows[0]?.n ?? 0);
}

async function missionControl(url: string, admin: pg.Pool): Promise<Result> {
  const { pool, sent } = countingPool(url, 2);
  const lifecycle = createLifecycle({
    db: drizzle(pool, { schema }) as unknown as Database,
    clock: systemClock,
    keyPrefix: "MC",
  });
  const actor = { kind: "human" as const, id: "bench" };
  const created = [];
  for (let i = 0; i < JOBS; i += 500) {
    const batch = Array.from({ length: Math.min(500, JOBS - i) }, (_, j) => ({
      repository: "acme/bench",
      title: `job ${i + j}`,
    }));
    const result = await lifecycle.createTickets(batch, actor);
    if (!result.ok) throw new Error(result.message);
    created.push(...result.tickets);
  }
  const lease = await lifecycle.acquireLease({ name: "dispatch", holder: "bench", ttlMs: 3_600_000 });
  if (!lease.ok) throw new Error("lease held");
  const fence = { name: "dispatch", holder: "bench", fencingToken: lease.fencingToken };
  const rowsBefore = await rowsWritten(admin);
  sent.n = 0;
  const t0 = performance.now();
  for (const ticket of created) {
    const claim = await lifecycle.claim({
      ticket: ticket.key,
      expectedVersion: ticket.version,
      worker: "agent",
      actor: { kind: "dispatcher", id: "bench" },
      leaseMs: 600_000,
      fence,
    });
    if (!claim.ok) throw new Error(claim.message);
    await lifecycle.startAttempt({
      attemptId: claim.attempt.id,
      launchKey: claim.attempt.launchKey,
      leaseMs: 600_000,
    });
    const done = await lifecycle.completeAttempt({
      attemptId: claim.attempt.id,
      actor: { kind: "worker", id: "agent" },
      evidence: { commitSha: "0".repeat(40) },
    });
    if (!done.ok) throw new Error(done.message);
  }
  const seconds = (performance.now() - t0) / 1000;
  const statements = sent.n;
  await lifecycle.releaseLease(fence);
  await pool.end();
  const rows = (await rowsWritten(admin)) - rowsBefore - 1;
  return { system: "Mission Control", seconds, statements, rows };
}

async function pgBoss(url: string, admin: pg.Pool, round: number): Promise<Result> {
  const { pool, sent } = countingPool(url, 4);
  const boss = new PgBoss({
    db: { executeSql: (text: string, values: unknown[]) => pool.query(text, values) },
    supervise: false,
    schedule: false,
  } as PgBoss.ConstructorOptions);
  await boss.start();
  const queue = `bench-${round}`;
  await boss.createQueue(queue);
  for (let i = 0; i < JOBS; i += 500)
    await boss.insert(
      Array.from({ length: Math.min(500, JOBS - i) }, (_, j) => ({ name: queue, data: { n: i + j } })),
    );
  const rowsBefore = await rowsWritten(admin);
  sent.n = 0;
  const t0 = performance.now();
  for (let done = 0; done < JOBS; ) {
    const [job] = await boss.fetch(queue, { batchSize: 1 });
    if (!job) throw new Error("pg-boss: queue empty early");
    await boss.complete(queue, job.id);
    done++;
  }
  const seconds = (performance.now() - t0) / 1000;
  const statements = sent.n;
  await boss.stop({ graceful: false, wait: true });
  await pool.end();
  const rows = (await rowsWritten(admin)) - rowsBefore;
  return { system: "pg-boss (batch 1)", seconds, statements, rows };
}

async function graphile(url: string, admin: pg.Pool): Promise<Result> {
  const { pool, sent } = countingPool(url, 4);
  const logger = new Logger(() => () => {});
  const utils = await makeWorkerUtils({ pgPool: pool, logger });
  await utils.migrate();
  for (let i = 0; i < JOBS; i += 500)
    await utils.addJobs(
      Array.from({ length: Math.min(500, JOBS - i) }, (_, j) => ({
        identifier: "bench",
        payload: { n: i + j },
      })),
    );
  const rowsBefore = await rowsWritten(admin);
  sent.n = 0;
  let done = 0;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const t0 = performance.now();
  const runner = await runGraphile({
    pgPool: pool,
    concurrency: 1,
    noHandleSignals: true,
    logger,
    pollInterval: 1000,
    taskList: {
      bench: async () => {
        if (++done === JOBS) finish();
      },
    },
  });
  await finished;
  const seconds = (performance.now() - t0) / 1000;
  await runner.stop();
  const statements = sent.n;
  await utils.release();
  await pool.end();
  const rows = (await rowsWritten(admin)) - rowsBefore;
  return { system: "graphile-worker (concurrency 1)", seconds, statements, rows };
}

function startup(): { version: number; node: number } {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const time = (args: string[]) => {
    const t0 = performance.now();
    execFileSync(process.execPath, args, { stdio: "ignore" });
    return performance.now() - t0;
  };
  const version: number[] = [];
  const node: number[] = [];
  for (let i = 0; i < 7; i++) {
    node.push(time(["-e", "0"]));
    version.push(time(["dist/cli/main.js", "--version"]));
  }
  return { version: median(version), node: median(node) };
}

async function main() {
  const name = `mctl_peers_${process.pid}`;
  const admin = new pg.Pool({ connectionString: ADMIN_URL, max: 1 });
  await admin.query(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const target = url.toString();
  const dbAdmin = new pg.Pool({ connectionString: target, max: 1 });
  const results: Result[] = [];
  try {
    const handle = await openDatabase({ driver: "postgres", url: target });
    await migrateDatabase(handle);
    await handle.close();
    for (let r = 0; r < ROUNDS; r++) {
      const order = [
        () => missionControl(target, dbAdmin),
        () => pgBoss(target, dbAdmin, 2 * r),
        () => graphile(target, dbAdmin),
      ];
      // Alternating: A B C, then C B A.
      for (const round of [...order, ...[...order].reverse()]) {
        const result = await round();
        results.push(result);
        console.error(`${result.system}: ${(JOBS / result.seconds).toFixed(0)} jobs/s`);
      }
    }
  } finally {
    await dbAdmin.end();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
  const bySystem = new Map<string, Result[]>();
  for (const r of results) bySystem.set(r.system, [...(bySystem.get(r.system) ?? []), r]);
  const rate = (rs: Result[]) => rs.reduce((s, r) => s + JOBS / r.seconds, 0) / rs.length;
  const boss = rate(bySystem.get("pg-boss (batch 1)") ?? []);
  console.log(`\n${JOBS} jobs per round, ${ROUNDS * 2} rounds each, alternating\n`);
  console.log("| system | jobs/s (mean) | × pg-boss | statements/job | rows written/job |");
  console.log("|---|---:|---:|---:|---:|");
  for (const [system, rs] of bySystem) {
    const last = rs[rs.length - 1] as Result;
    console.log(
      `| ${system} | ${rate(rs).toFixed(0)} | ${(rate(rs) / boss).toFixed(2)} | ${(last.statements / JOBS).toFixed(1)} | ${(last.rows / JOBS).toFixed(1)} |`,
    );
  }
  const start = startup();
  console.log(
    `\nmctl --version ${start.version.toFixed(0)} ms, node -e 0 ${start.node.toFixed(0)} ms: ratio ${(start.version / start.node).toFixed(2)}`,
  );
}

await main();
