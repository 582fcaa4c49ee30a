/**
 * npm run bench:spawn — what starting a process costs from a process that holds an embedded
 * database (an in-memory PGlite, as a test worker of the store's suites does) against one that
 * does not: the same `git --version`, spawned and awaited, in alternating rounds in two child
 * processes. For each: wall milliseconds per spawn, CPU milliseconds per spawn in the spawning
 * process (user + system), and its resident memory. The figures decide how vitest.config.ts
 * splits the suite (docs/benchmarks.md, "The test suite").
 *
 * Options (environment): BENCH_SPAWNS (per round, default 100), BENCH_ROUNDS (default 3).
 * Not a test: one run, figures in docs/benchmarks.md.
 */
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";

const SPAWNS = Number(process.env.BENCH_SPAWNS ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface Round {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly rssMb: number;
}

/** In a child process: optionally open PGlite, then time SPAWNS spawns of `git --version`. */
async function measure(withPglite: boolean): Promise<Round> {
  let close = async () => {};
  if (withPglite) {
    const { PGlite } = await import("@electric-sql/pglite");
    const db = new PGlite();
    await db.query("select 1");
    close = () => db.close();
  }
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let i = 0; i < SPAWNS; i++) {
    const child = spawn("git", ["--version"], { stdio: "ignore" });
    await new Promise((resolve, reject) => child.on("close", resolve).on("error", reject));
  }
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6 / SPAWNS;
  const used = process.cpuUsage(cpu);
  const rssMb = process.memoryUsage().rss / 1e6;
  await close();
  return { wallMs, cpuMs: (used.user + used.system) / 1000 / SPAWNS, rssMb };
}

async function round(withPglite: boolean): Promise<Round> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [...process.execArgv, import.meta.filename, withPglite ? "--child-pglite" : "--child-plain"],
    { env: process.env },
  );
  return JSON.parse(stdout) as Round;
}

const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const child = process.argv[2];
  if (child) {
    process.stdout.write(JSON.stringify(await measure(child === "--child-pglite")));
    return;
  }
  const plain: Round[] = [];
  const held: Round[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    // Alternated (plain, pglite, pglite, plain …) so that a change of load moves both alike.
    for (const withPglite of i % 2 === 0 ? [false, true] : [true, false])
      (withPglite ? held : plain).push(await round(withPglite));
  }
  const row = (name: string, rounds: Round[]) =>
    `${name.padEnd(22)} ${median(rounds.map((r) => r.wallMs))
      .toFixed(1)
      .padStart(8)} ${median(rounds.map((r) => r.cpuMs))
      .toFixed(1)
      .padStart(8)} ${median(rounds.map((r) => r.rssMb))
      .toFixed(0)
      .padStart(7)}`;
  console.log(`${SPAWNS} spawns of git --version per round, ${ROUNDS} rounds each, medians`);
  console.log(
    `${"spawning process".padEnd(22)} ${"wall ms".padStart(8)} ${"cpu ms".padStart(8)} ${"rss MB".padStart(7)}`,
  );
  console.log(row("no database", plain));
  console.log(row("in-memory PGlite open", held));
  const ratio = (pick: (r: Round) => number) => median(held.map(pick)) / median(plain.map(pick));
  console.log(
    `ratio (PGlite ÷ none): wall ${ratio((r) => r.wallMs).toFixed(1)} ×, cpu ${ratio((r) => r.cpuMs).toFixed(1)} ×`,
  );
}

await main();
