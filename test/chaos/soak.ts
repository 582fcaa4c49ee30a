/**
 * The long chaos run (docs/chaos.md): `npx tsx test/chaos/soak.ts --tickets 1000 --duration 600 --seed N`
 * (after `npm run build`). It creates its own PostgreSQL database (dropped after a clean run, kept
 * with its name printed otherwise), runs the harness, prints the report and exits 0 only when
 * lost = duplicated = unexpected = 0 (ending at the time bound is fine: what is still in flight then
 * must be one of the enumerated explainable states).
 *
 * Options: --tickets N (1000), --duration S (600: the bound of the whole run), --chaos S (kills
 * within the first S seconds; default 60% of the duration), --kills N (duration / 4), --seed N
 * (random), --workers N (8), --dispatchers N (2), --orchestrators N (2), --dist DIR (run another
 * build than ./dist, e.g. a frozen copy), --kinds succeed=5,linger=1 (the mix of scripted agents;
 * default test/chaos/workload.ts), --keep (keep the work folder and database).
 * MCTL_TEST_DATABASE_URL: the admin connection (postgres://postgres@127.0.0.1:5432/postgres).
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { z } from "zod";
import { openDatabase } from "../../src/db/connect.js";
import { migrateDatabase } from "../../src/db/migrate.js";
import { formatReport, summaryLine } from "./checker.js";
import { runChaos } from "./harness.js";
import { parseKindWeights } from "./workload.js";

const Options = z.object({
  tickets: z.coerce.number().int().min(1).max(100_000),
  duration: z.coerce
    .number()
    .positive()
    .max(24 * 3600),
  chaos: z.coerce.number().positive().optional(),
  kills: z.coerce.number().int().min(0).optional(),
  seed: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 31),
  workers: z.coerce.number().int().min(1).max(100),
  dispatchers: z.coerce.number().int().min(1).max(20),
  orchestrators: z.coerce.number().int().min(1).max(20),
  dist: z.string().min(1).optional(),
  kinds: z.string().min(1).optional(),
  keep: z.boolean(),
});

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      tickets: { type: "string", default: "1000" },
      duration: { type: "string", default: "600" },
      chaos: { type: "string" },
      kills: { type: "string" },
      seed: { type: "string", default: String(Math.floor(Math.random() * 2 ** 31)) },
      workers: { type: "string", default: "8" },
      dispatchers: { type: "string", default: "2" },
      orchestrators: { type: "string", default: "2" },
      dist: { type: "string" },
      kinds: { type: "string" },
      keep: { type: "boolean", default: false },
    },
  });
  const parsed = Options.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    console.error(`soak: --${issue?.path.join(".")}: ${issue?.message}`);
    return 2;
  }
  const o = parsed.data;
  const chaosMs = (o.chaos ?? o.duration * 0.6) * 1000;

  // 1. A database of its own, migrated.
  const adminUrl = process.env.MCTL_TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `mctl_soak_${o.seed}_${randomBytes(3).toString("hex")}`;
  await withAdmin(adminUrl, (admin) => admin.query(`create database ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ driver: "postgres", url: url.toString() }, { maxConnections: 10 });
  await migrateDatabase(handle);
  const workDir = await mkdtemp(path.join(os.tmpdir(), "mctl-soak-"));

  // 2. The run.
  let clean = false;
  try {
    const result = await runChaos({
      seed: o.seed,
      tickets: o.tickets,
      db: handle.db,
      databaseUrl: url.toString(),
      workDir,
      chaosMs,
      maxKills: o.kills ?? Math.round(o.duration / 4),
      boundMs: o.duration * 1000,
      dispatchers: o.dispatchers,
      orchestrators: o.orchestrators,
      maxWorkers: o.workers,
      faults: { serverErrors: 0.02, secondaryRateLimits: 0.01 },
      ...(o.dist ? { dist: path.resolve(o.dist) } : {}),
      ...(o.kinds ? { kinds: parseKindWeights(o.kinds) } : {}),
      log: (line) => console.log(line),
    });
    console.log(formatReport(result.report, 100));
    console.log(`figures: ${JSON.stringify(result.figures, null, 2)}`);
    // A soak is bounded by time: ending at the bound is fine, with only enumerated in-flight states.
    clean = summaryLine(result.report) === `lost=0 duplicated=0 unexpected=0 seed=${o.seed}`;
    console.log(`${summaryLine(result.report)} (${result.report.endedBy})`);
  } finally {
    // 3. Cleaned up after a clean run; kept for inspection otherwise (or with --keep).
    await handle.close();
    if (clean && !o.keep) {
      await rm(workDir, { recursive: true, force: true });
      await withAdmin(adminUrl, (admin) => admin.query(`drop database if exists ${name}`));
    } else console.log(`soak: kept the database ${name} and the work folder ${workDir}`);
  }
  return clean ? 0 : 1;
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

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`soak: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
