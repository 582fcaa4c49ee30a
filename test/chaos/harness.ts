/**
 * One chaos run (docs/chaos.md), in numbered steps: set up git, GitHub (the stand-in) and the
 * configuration; create the workload; start the app, the dispatchers and the orchestrators as real
 * processes on PostgreSQL; let the CI bot and the person react; carry out the seeded kill schedule;
 * wait until the workload quiesces (or the bound); stop everything; read the history and check it.
 * Used by test/chaos/chaos.test.ts (short) and test/chaos/soak.ts (long).
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { Database } from "../../src/db/database.js";
import type { GitHubStandin } from "../../src/github-standin/index.js";
import { createLifecycle, systemClock } from "../../src/lifecycle/index.js";
import { type CheckReport, checkHistory } from "./checker.js";
import { CiBot } from "./ci-bot.js";
import { ChaosDriver, DEFAULT_WEIGHTS, type KillRecord, planKills } from "./driver.js";
import { collectFigures, type RunFigures, saveArtifacts } from "./figures.js";
import type { History, OrchestratorOutcome, TicketKind } from "./history.js";
import { failedDeliveries, progress, webhooksSettled } from "./monitor.js";
import { readPassReports } from "./pass-reports.js";
import { Person } from "./person.js";
import { Rng, STREAMS } from "./prng.js";
import { findWorkers, killWorker, type Role } from "./processes.js";
import { readHistory } from "./read-history.js";
import { buildRoles } from "./roles.js";
import { configYaml, type FaultRates, freePort, prepareGit, REPOSITORY, startGitHub } from "./setup.js";
import { createTickets, planWorkload } from "./workload.js";

export type { RunFigures } from "./figures.js";

/** The build the processes run (`npm run build`). */
export const DIST = path.resolve(import.meta.dirname, "../../dist");

export interface ChaosOptions {
  readonly seed: number;
  readonly tickets: number;
  /** A migrated, empty database: its handle (for the harness's reads) and its URL (for the processes). */
  readonly db: Database;
  readonly databaseUrl: string;
  /** An empty folder for the run's git repositories, logs and journal. */
  readonly workDir: string;
  /** Kills happen within this window (and stop early if the workload quiesces). */
  readonly chaosMs: number;
  readonly maxKills: number;
  /** The whole run ends here at the latest, quiesced or not. */
  readonly boundMs: number;
  readonly dispatchers: number;
  readonly orchestrators: number;
  readonly maxWorkers: number;
  readonly faults: FaultRates;
  /** Weights of the ticket kinds (default: workload.ts KIND_WEIGHTS). */
  readonly kinds?: Readonly<Record<TicketKind, number>>;
  /** The build to run (default: the repository's dist/). */
  readonly dist?: string;
  readonly log: (line: string) => void;
}

export interface ChaosResult {
  readonly report: CheckReport;
  readonly history: History;
  readonly kills: readonly KillRecord[];
  readonly figures: RunFigures;
}

const TIMINGS = { attemptLeaseSeconds: 20, maxAttempts: 3 };

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const { seed, log } = options;
  const started = Date.now();
  const elapsed = () => `+${((Date.now() - started) / 1000).toFixed(1)}s`;
  log(`[chaos] seed=${seed} tickets=${options.tickets} bound=${options.boundMs / 1000}s`);

  // 1. Git, GitHub, the processes' definitions and the configuration they read.
  const dirs = await prepareGit(options.workDir);
  const appPort = await freePort();
  const gh = await startGitHub(appPort, new Rng(seed, STREAMS.faults).int(1, 2 ** 31), options.faults);
  const roles = buildRoles({ ...options, dist: options.dist ?? DIST, dirs, gh, appPort });
  await writeFile(
    dirs.config,
    configYaml(roles.agentCommand, { ...TIMINGS, maxWorkers: options.maxWorkers }),
  );
  const stoppers: (() => Promise<void>)[] = [];
  try {
    // 2. The workload: most tickets now, the rest while the chaos runs.
    const lifecycle = createLifecycle({ db: options.db, clock: systemClock, keyPrefix: "MC" });
    const workload = planWorkload(new Rng(seed, STREAMS.workload), options.tickets, {
      upfront: 0.8,
      spreadMs: options.chaosMs / 2,
      ...(options.kinds ? { weights: options.kinds } : {}),
    });
    const kinds = await createTickets(
      lifecycle,
      workload.filter((t) => t.atMs === 0),
      REPOSITORY,
    );
    const late = workload.filter((t) => t.atMs > 0);
    let created = 0;
    const timers = late.map((planned) =>
      setTimeout(() => {
        createTickets(lifecycle, [planned], REPOSITORY).then(
          (made) => {
            for (const [key, kind] of made) kinds.set(key, kind);
            created += 1;
          },
          (error: unknown) => log(`[chaos] creating a ticket failed: ${String(error)}`),
        );
      }, planned.atMs),
    );
    stoppers.push(async () => {
      for (const timer of timers) clearTimeout(timer);
    });

    // 3. The processes: the app first (it must answer), then the dispatchers and orchestrators.
    stoppers.push(async () => {
      await Promise.all(roles.all().map((r) => r.stop(2_000)));
      for (const worker of findWorkers(dirs.clone)) killWorker(worker.pid);
    });
    roles.app.start();
    await until("the app to answer", () => roles.appUp(), 60_000);
    for (const r of [...roles.dispatchers, ...roles.orchestrators]) r.start();

    // 4. The participants: CI, the person, and the chaos driver.
    const ci = new CiBot({
      gh,
      repository: REPOSITORY,
      bareRemote: dirs.remote,
      pushLog: dirs.pushLog,
      rng: new Rng(seed, STREAMS.ci),
      buildMs: [0, 2_500],
      kindOf: (key) => kinds.get(key) ?? null,
      log,
    });
    ci.start();
    const person = new Person({
      db: options.db,
      gh,
      repository: REPOSITORY,
      rng: new Rng(seed, STREAMS.person),
      mctl: [process.execPath, roles.mctl],
      env: roles.env,
      cwd: dirs.root,
      answerDelayMs: [300, 2_500],
      failedDeliveries: () => failedDeliveries(gh.webhooks.deliveries),
      redeliverGapMs: 6_000,
      appUp: () => roles.appUp(),
      log,
    });
    person.start();
    const restarts: Record<string, number> = {};
    const driver = new ChaosDriver({
      roles: { app: [roles.app], dispatcher: roles.dispatchers, orchestrator: roles.orchestrators },
      workerCwd: dirs.clone,
      seed,
      log,
      onRestart: (role) => {
        restarts[role.spec.kind] = (restarts[role.spec.kind] ?? 0) + 1;
      },
    });
    stoppers.unshift(
      () => driver.stop(),
      () => person.stop(),
      () => ci.stop(),
    );
    const plan = planKills(new Rng(seed, STREAMS.chaos), {
      windowMs: options.chaosMs,
      maxKills: options.maxKills,
      gapMs: [2_000, 6_000],
      downMs: [300, 4_000],
      weights: DEFAULT_WEIGHTS,
    });
    log(`[chaos] seed=${seed}: ${plan.length} kills planned within ${options.chaosMs / 1000}s`);
    driver.run(plan);

    // 5. Until the workload quiesces, or the bound.
    let endedBy: History["endedBy"] = "bound";
    let chaosOn = true;
    let lastProgress = 0;
    while (Date.now() - started < options.boundMs) {
      await sleep(1_000);
      if (chaosOn && Date.now() - started >= options.chaosMs) {
        chaosOn = false;
        await driver.stop();
        log(`[chaos] ${elapsed()} chaos window over: every role is running again`);
      }
      const state = await progress(options.db, gh);
      if (Date.now() - lastProgress >= 10_000) {
        lastProgress = Date.now();
        log(`[chaos] ${elapsed()} ${state.line}`);
      }
      if (
        created === late.length &&
        state.quiet &&
        ci.pendingBuilds === 0 &&
        (await webhooksSettled(options.db, gh))
      ) {
        endedBy = "quiesced";
        break;
      }
    }
    const endedAt = new Date();
    log(`[chaos] ${elapsed()} ${endedBy === "quiesced" ? "quiesced" : "hit its bound"}`);

    // 6. Stop: no more kills, answers, CI or launches; leftover workers; the orchestrators; the app.
    for (const stop of stoppers.splice(0, 4)) await stop();
    const finalExits = await stopAll(roles.dispatchers, roles.orchestrators, roles.app, dirs.clone, log);
    await gh.webhooks.settle();

    // 7. The history, checked.
    const outcomes: OrchestratorOutcome[] = [];
    let passes = 0;
    for (const r of roles.orchestrators) {
      const reports = await readPassReports(r.spec.name, r.logFile);
      outcomes.push(...reports.outcomes);
      passes += reports.passes.completed;
    }
    const history = await readHistory({
      db: options.db,
      gh,
      repository: REPOSITORY,
      journal: dirs.journal,
      orchestratorOutcomes: outcomes,
      seed,
      endedBy,
      endedAt,
      maxAttempts: TIMINGS.maxAttempts,
    });
    const report = checkHistory(history);
    await saveArtifacts(options.workDir, history, gh);
    const figures = await collectFigures({
      seconds: Math.round((Date.now() - started) / 100) / 10,
      history,
      kills: driver.kills,
      restarts,
      gh,
      db: options.db,
      workerLogs: path.join(dirs.clone, ".mission-control", "logs"),
      person: person.activity,
      orchestratorPasses: passes,
      roles: roles.all(),
      finalExits,
    });
    return { report, history, kills: driver.kills, figures };
  } finally {
    // Whatever happened: nothing of the run outlives it.
    for (const stop of stoppers) await stop().catch(() => undefined);
    await stopGitHub(gh);
  }
}

/** Dispatchers (SIGTERM: they finish their cycle), leftover workers, orchestrators, then the app. */
async function stopAll(
  dispatchers: readonly Role[],
  orchestrators: readonly Role[],
  app: Role,
  clone: string,
  log: (line: string) => void,
): Promise<Record<string, string>> {
  const exits: Record<string, string> = {};
  const stop = async (r: Role, graceMs?: number) => {
    const exit = await r.stop(graceMs);
    exits[r.spec.name] = exit ? String(exit.code ?? exit.signal) : "not running";
  };
  await Promise.all(dispatchers.map((r) => stop(r)));
  const leftovers = findWorkers(clone);
  for (const worker of leftovers) killWorker(worker.pid);
  if (leftovers.length) log(`[chaos] stopped ${leftovers.length} worker(s) still running at the end`);
  await Promise.all(orchestrators.map((r) => stop(r)));
  // The app finishes its running mirror and re-evaluation passes before it exits (retries included).
  await stop(app, 30_000);
  return exits;
}

async function stopGitHub(gh: GitHubStandin): Promise<void> {
  await Promise.race([gh.stop(), sleep(15_000)]);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}
