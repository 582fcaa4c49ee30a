/**
 * npm run bench:dispatch — the dispatcher's cost, in one run:
 * (a) the time of one dispatch cycle at a backlog of 1k and of 100k tickets, each with ineligible
 *     tickets at the head of the queue (backing off, held, refused by the policy), with the
 *     configuration's default batch size; rounds 1k, 100k, 100k, 1k (A-B-B-A); PostgreSQL and PGlite.
 *     Goal: 100k ÷ 1k ≤ 1.3 (the cost does not grow with the backlog).
 * (b) claims per second of real `mctl dispatch --loop` processes against one PostgreSQL database,
 *     1 process against 4; rounds 1, 4, 4, 1 (A-B-B-A). Goal: 4 ÷ 1 ≥ 1 (more dispatchers are not slower).
 *
 * The ineligible head is made by the lifecycle (one ticket of each kind, as the product writes
 * them: a claimed attempt failed into its back-off, a ticket held for its attempts, a ticket whose
 * `skipped_policy` verdict a real cycle recorded), then copied row for row with generate_series
 * (tickets, the failed attempts, the recorded verdicts); the eligible rest is bulk-loaded `todo`.
 *
 * Environment: MCTL_BENCH_DATABASE_URL (admin URL, default postgres://postgres@127.0.0.1:5432/postgres;
 * "skip" for (a) on PGlite only), BENCH_CYCLES (cycles per round, default 5), BENCH_SMALL / BENCH_LARGE
 * (backlogs, default 1000 / 100000), BENCH_HEAD_SHARE (ineligible share at the head, default 0.1),
 * BENCH_CLAIM_TICKETS (tickets per round of (b), default 1000), BENCH_INTERVAL (seconds between a
 * process's cycles, default 0.1), BENCH_PROCESSES (the many of (b), default 4), BENCH_PARTS ("a,b").
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import pg from "pg";
import { DispatchSchema } from "../src/config/schema.js";
import { openDatabase } from "../src/db/connect.js";
import { type DatabaseHandle, queryRows } from "../src/db/database.js";
import { migrateDatabase } from "../src/db/migrate.js";
import { type DispatchDeps, dispatchSettingsFrom, runDispatchCycle } from "../src/dispatch/cycle.js";
import { lifecycleWorkerSource } from "../src/dispatch/worker-sources.js";
import { createLifecycle, type Lifecycle, systemClock } from "../src/lifecycle/index.js";

const ADMIN_URL = process.env.MCTL_BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const CYCLES = env("BENCH_CYCLES", 5);
const SMALL = env("BENCH_SMALL", 1_000);
const LARGE = env("BENCH_LARGE", 100_000);
const HEAD_SHARE = env("BENCH_HEAD_SHARE", 0.1);
const CLAIM_TICKETS = env("BENCH_CLAIM_TICKETS", 1_000);
const INTERVAL = env("BENCH_INTERVAL", 0.1);
const MANY = env("BENCH_PROCESSES", 4);
const PARTS = new Set((process.env.BENCH_PARTS ?? "a,b").split(","));
const MCTL = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));

/** The configuration's defaults (batch size, scan limit, policy), with room for every claim. */
const DISPATCH = DispatchSchema.parse({ max_workers: 100_000 });
const BATCH = DISPATCH.batch_size;

// ---------------------------------------------------------------------------------------------
// Databases

async function admin(query: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

let databases = 0;
/** A new PostgreSQL database of this run (dropped by `dispose`), and its URL. */
async function createPostgres(): Promise<{ url: string; dispose(): Promise<void> }> {
  const name = `mctl_bench_dispatch_${process.pid}_${databases++}`;
  await admin(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), dispose: () => admin(`drop database if exists ${name} with (force)`) };
}

interface Driver {
  readonly name: string;
  open(): Promise<DatabaseHandle & { dispose(): Promise<void> }>;
}

function drivers(): Driver[] {
  const postgres: Driver = {
    name: "PostgreSQL",
    async open() {
      const created = await createPostgres();
      const handle = await openDatabase({ driver: "postgres", url: created.url });
      return Object.assign(handle, {
        async dispose() {
          await handle.close();
          await created.dispose();
        },
      });
    },
  };
  const pglite: Driver = {
    name: "PGlite",
    async open() {
      const handle = await openDatabase({ driver: "pglite", dataDir: "memory://" });
      return Object.assign(handle, { dispose: () => handle.close() });
    },
  };
  return ADMIN_URL === "skip" ? [pglite] : [postgres, pglite];
}

// ---------------------------------------------------------------------------------------------
// Loading

const bench = { kind: "human", id: "bench" } as const;

/** `count` eligible todo tickets after everything already loaded, in mixed priorities (bulk). */
async function loadEligible(handle: DatabaseHandle, count: number): Promise<void> {
  await handle.db.execute(sql`
    insert into tickets (id, key, repository, title, priority, created_at, updated_at)
    select m + g, 'MC-' || (m + g), 'bench/repo', 'ticket ' || g,
           (array['urgent','high','normal','low'])[1 + g % 4]::ticket_priority,
           now() - (${count} - g) * interval '1 second', now()
    from generate_series(1, ${count}) g, (select coalesce(max(id), 0) m from tickets) last`);
  await handle.db.execute(
    sql`select setval(pg_get_serial_sequence('tickets', 'id'), (select max(id) from tickets))`,
  );
}

/** The columns of `table`, for copying a row as it is except the ones given. */
async function columnsOf(handle: DatabaseHandle, table: string): Promise<string[]> {
  const rows = await queryRows<{ column_name: string }>(
    handle.db,
    sql`select column_name from information_schema.columns
        where table_schema = current_schema() and table_name = ${table} order by ordinal_position`,
  );
  return rows.map((r) => r.column_name);
}

/**
 * Copies the rows of `table` (as `e`) that `where` selects once per `g` in 0..count-1, every column
 * as it is but those `set` computes (SQL over `e` and `g`).
 */
async function copyRows(
  handle: DatabaseHandle,
  table: string,
  where: string,
  count: number,
  set: Record<string, string>,
): Promise<void> {
  const columns = await columnsOf(handle, table);
  const values = columns.map((c) => set[c] ?? `e.${c}`);
  await handle.db.execute(
    sql.raw(`insert into ${table} (${columns.join(", ")})
             select ${values.join(", ")} from ${table} e cross join generate_series(0, ${count - 1}) g
             where ${where}`),
  );
}

/**
 * The head of the queue: `count` urgent, oldest tickets none of which a cycle may claim, a third
 * each backing off (a failed attempt, one hour to wait), held (`max_attempts_reached`) and refused
 * by the default policy (labelled `no-agent`, its verdict recorded). Made by the lifecycle once per
 * kind, then copied.
 */
async function loadIneligibleHead(
  handle: DatabaseHandle,
  lifecycle: Lifecycle,
  count: number,
): Promise<void> {
  const ticket = async (labels: string[] = []) => {
    const created = await lifecycle.createTicket(
      { repository: "bench/repo", title: "head", priority: "urgent", labels },
      bench,
    );
    if (!created.ok) throw new Error(created.message);
    return created.ticket;
  };
  const backingOff = await ticket();
  const claim = await lifecycle.claim({
    ticket: backingOff.key,
    expectedVersion: backingOff.version,
    worker: "agent",
    actor: { kind: "dispatcher", id: "bench" },
    leaseMs: 60_000,
    fence: null,
  });
  if (!claim.ok) throw new Error(claim.message);
  const started = await lifecycle.startAttempt({
    attemptId: claim.attempt.id,
    launchKey: claim.attempt.launchKey,
    leaseMs: 60_000,
  });
  if (!started.ok) throw new Error(started.message);
  const failed = await lifecycle.failAttempt({
    attemptId: claim.attempt.id,
    actor: { kind: "worker", id: "agent" },
    reason: "bench",
    backoff: { baseMs: 3_600_000, capMs: 3_600_000 },
  });
  if (!failed.ok) throw new Error(failed.message);
  const held = await ticket();
  const hold = await lifecycle.holdTicket({
    ticket: held.key,
    expectedVersion: held.version,
    hold: "max_attempts_reached",
    actor: { kind: "dispatcher", id: "bench" },
    fence: null,
  });
  if (!hold.ok) throw new Error(hold.message);
  const refused = await ticket(["no-agent"]);
  // A real cycle records the refusal (and claims nothing: the other two are not runnable).
  const first = await runDispatchCycle(dispatcher(lifecycle));
  if (first.counts.skipped_policy !== 1 || first.counts.claimed)
    throw new Error(`set-up cycle: ${JSON.stringify(first.counts)}`);

  // Copies: ids after the exemplars, created before every eligible ticket, the three kinds interleaved.
  const per = Math.ceil(count / 3);
  for (const [k, exemplar] of [backingOff, held, refused].entries()) {
    const id = `(3 + 3 * g + ${k + 1})`;
    await copyRows(handle, "tickets", `e.id = ${exemplar.id}`, per, {
      id,
      key: `'MC-' || ${id}`,
      created_at: `timestamptz '2020-01-01' + ${id} * interval '1 second'`,
    });
  }
  await copyRows(handle, "attempts", `e.ticket_id = ${backingOff.id}`, per, {
    id: "gen_random_uuid()",
    ticket_id: "(3 + 3 * g + 1)",
    launch_key: `'MC-' || (3 + 3 * g + 1) || '/1'`,
  });
  await copyRows(handle, "ticket_policy_skips", `e.ticket_id = ${refused.id}`, per, {
    ticket_id: "(3 + 3 * g + 3)",
  });
  await handle.db.execute(
    sql`select setval(pg_get_serial_sequence('tickets', 'id'), (select max(id) from tickets))`,
  );
}

function dispatcher(lifecycle: Lifecycle): DispatchDeps {
  return {
    lifecycle,
    holder: "bench",
    sources: [lifecycleWorkerSource(lifecycle)],
    // The launcher is not what (a) measures (b's processes start real commands).
    launcherFor: () => ({
      kind: "noop",
      launch: async () => ({ ok: true, duplicate: false, detail: "bench" }),
    }),
    settings: dispatchSettingsFrom(DISPATCH),
  };
}

// ---------------------------------------------------------------------------------------------
// (a) cycle time, 1k against 100k

interface Backlog {
  readonly size: number;
  readonly handle: DatabaseHandle & { dispose(): Promise<void> };
  readonly deps: DispatchDeps;
  readonly times: number[];
  readonly phases: Record<string, number[]>;
}

async function openBacklog(driver: Driver, size: number): Promise<Backlog> {
  const handle = await driver.open();
  await migrateDatabase(handle);
  const lifecycle = createLifecycle({ db: handle.db, clock: systemClock, keyPrefix: "MC" });
  const head = Math.round(size * HEAD_SHARE);
  await loadIneligibleHead(handle, lifecycle, head);
  const ineligible = (await queryRows<{ n: number }>(handle.db, sql`select count(*)::int n from tickets`))[0]
    ?.n;
  await loadEligible(handle, size - (ineligible ?? 0));
  await handle.db.execute(sql`analyze`);
  // The set-up is what it says: the head of the queue (read without eligibility) is the copies.
  const [kinds] = await queryRows<{ backing_off: number; held: number; refused: number; head: number }>(
    handle.db,
    sql`select count(*) filter (where next_eligible_at > now())::int backing_off,
               count(*) filter (where hold is not null)::int held,
               count(*) filter (where s.ticket_id is not null)::int refused,
               (select count(*)::int from (select id from tickets where state = 'todo'
                  order by priority, created_at, id limit ${head}) h
                where h.id <= ${head}) head
        from tickets t left join ticket_policy_skips s on s.ticket_id = t.id`,
  );
  if (!kinds || kinds.head < head - 3 || kinds.backing_off + kinds.held + kinds.refused < head)
    throw new Error(`set-up: the head is not what it should be: ${JSON.stringify(kinds)}`);
  const deps = dispatcher(lifecycle);
  await runDispatchCycle(deps); // warm-up
  return { size, handle, deps, times: [], phases: {} };
}

async function round(backlog: Backlog): Promise<void> {
  for (let i = 0; i < CYCLES; i++) {
    const t0 = performance.now();
    const record = await runDispatchCycle(backlog.deps);
    backlog.times.push(performance.now() - t0);
    if (record.counts.claimed !== BATCH)
      throw new Error(
        `backlog ${backlog.size}: expected ${BATCH} claims, got ${JSON.stringify(record.counts)} (fewer BENCH_CYCLES or a larger backlog)`,
      );
    for (const [phase, ms] of Object.entries(record.timings)) {
      backlog.phases[phase] ??= [];
      backlog.phases[phase].push(ms);
    }
  }
}

async function cycleTimes(driver: Driver): Promise<string[]> {
  const small = await openBacklog(driver, SMALL);
  const large = await openBacklog(driver, LARGE);
  try {
    for (const backlog of [small, large, large, small]) await round(backlog);
    const line = (b: Backlog) =>
      `  backlog ${String(b.size).padStart(6)}: ${median(b.times).toFixed(1).padStart(7)} ms  (${Object.entries(
        b.phases,
      )
        .map(([phase, ms]) => `${phase} ${median(ms).toFixed(1)}`)
        .join(", ")})`;
    const ratio = median(large.times) / median(small.times);
    return [
      `(a) ${driver.name}: one cycle, batch ${BATCH} (the default), ${Math.round(HEAD_SHARE * 100)}% of the backlog ineligible at its head; median of ${2 * CYCLES} cycles per backlog, rounds A-B-B-A`,
      line(small),
      line(large),
      `  ratio ${LARGE / 1000}k / ${SMALL / 1000}k: ${ratio.toFixed(2)} (goal ≤ 1.30: ${ratio <= 1.3 ? "met" : "NOT MET"})`,
    ];
  } finally {
    await small.handle.dispose();
    await large.handle.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// (b) claims per second, 1 process against MANY

interface ProcessRound {
  readonly processes: number;
  readonly claimsPerSecond: number;
  readonly completed: number;
  readonly lockHeld: number;
}

async function processRound(processes: number): Promise<ProcessRound> {
  const database = await createPostgres();
  const dir = await mkdtemp(path.join(os.tmpdir(), "mctl-bench-dispatch-"));
  const children: ChildProcess[] = [];
  const handle = await openDatabase({ driver: "postgres", url: database.url });
  try {
    await migrateDatabase(handle);
    await loadEligible(handle, CLAIM_TICKETS);
    await handle.db.execute(sql`analyze`);
    // The default configuration but room for every claim, and a launcher that starts a real, short command.
    await writeFile(
      path.join(dir, "mc.yml"),
      [
        "dispatch:",
        "  max_workers: 100000",
        "  launcher:",
        "    kind: command",
        '    command: ["true"]',
      ].join("\n"),
    );
    const exits: Promise<number | null>[] = [];
    for (let i = 0; i < processes; i++) {
      const child = spawn(
        process.execPath,
        [MCTL, "dispatch", "--loop", "--interval", String(INTERVAL), "--holder", `bench-${i}`],
        {
          cwd: dir,
          env: {
            PATH: process.env.PATH ?? "",
            HOME: process.env.HOME ?? "",
            DATABASE_URL: database.url,
            MCTL_CONFIG: path.join(dir, "mc.yml"),
          },
          stdio: ["ignore", "ignore", "pipe"],
        },
      );
      let stderr = "";
      child.stderr?.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      exits.push(
        new Promise((resolve) =>
          child.once("exit", (code) => {
            if (code) console.error(`dispatcher ${i} exited ${code}: ${stderr}`);
            resolve(code);
          }),
        ),
      );
      children.push(child);
    }
    const left = async () =>
      (
        await queryRows<{ n: number }>(
          handle.db,
          sql`select count(*)::int n from tickets where state = 'todo'`,
        )
      )[0]?.n ?? 0;
    while ((await left()) > 0) {
      if (children.some((c) => c.exitCode !== null)) throw new Error("a dispatcher exited early");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (const child of children) child.kill("SIGTERM");
    await Promise.all(exits);
    // From the first claim to the last, by the attempts' own timestamps (process start-up left out).
    const [span] = await queryRows<{ n: number; seconds: number }>(
      handle.db,
      sql`select count(*)::int n, extract(epoch from max(created_at) - min(created_at))::float8 seconds from attempts`,
    );
    const [cycles] = await queryRows<{ completed: number; lock_held: number }>(
      handle.db,
      sql`select count(*) filter (where outcome = 'completed')::int completed,
                 count(*) filter (where outcome = 'lock_held')::int lock_held from dispatch_cycles`,
    );
    if (!span || span.n !== CLAIM_TICKETS)
      throw new Error(`expected ${CLAIM_TICKETS} attempts, got ${span?.n}`);
    return {
      processes,
      claimsPerSecond: (span.n - 1) / span.seconds,
      completed: cycles?.completed ?? 0,
      lockHeld: cycles?.lock_held ?? 0,
    };
  } finally {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await handle.close();
    await database.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}

async function claimRates(): Promise<string[]> {
  const rounds: ProcessRound[] = [];
  for (const processes of [1, MANY, MANY, 1]) rounds.push(await processRound(processes));
  const mean = (p: number) => {
    const of = rounds.filter((r) => r.processes === p);
    return of.reduce((s, r) => s + r.claimsPerSecond, 0) / of.length;
  };
  const ratio = mean(MANY) / mean(1);
  return [
    `(b) PostgreSQL: claims/s of \`mctl dispatch --loop --interval ${INTERVAL}\` processes, ${CLAIM_TICKETS} tickets per round, batch ${BATCH}, launcher \`true\`; rounds A-B-B-A`,
    ...rounds.map(
      (r) =>
        `  ${r.processes} process${r.processes === 1 ? " " : "es"}: ${r.claimsPerSecond.toFixed(0).padStart(5)} claims/s  (${r.completed} completed cycles, ${r.lockHeld} lock_held records)`,
    ),
    `  mean: 1 process ${mean(1).toFixed(0)}, ${MANY} processes ${mean(MANY).toFixed(0)} claims/s`,
    `  ratio ${MANY} / 1: ${ratio.toFixed(2)} (goal ≥ 1.00: ${ratio >= 1 ? "met" : "NOT MET"})`,
  ];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function main() {
  console.log(
    `bench:dispatch ${new Date().toISOString()}, ${os.cpus().length} cores, load ${os.loadavg()[0]?.toFixed(2)}`,
  );
  if (PARTS.has("a")) for (const driver of drivers()) console.log((await cycleTimes(driver)).join("\n"));
  if (PARTS.has("b")) {
    if (ADMIN_URL === "skip") console.log("(b) skipped: it needs PostgreSQL");
    else console.log((await claimRates()).join("\n"));
  }
}

await main();
