/**
 * The demo, start to finish, in one process (the embedded database serves one process): a fresh
 * PGlite database, the GitHub stand-in with `demo/widgets` and alice, the Probot app on the demo's
 * port, the dispatcher loop with an in-process launcher for the worker runner, the orchestrator,
 * the demo CI, alice, and the decision log read back from the database.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { parseConfig } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { openDatabase } from "../db/connect.js";
import type { DatabaseHandle } from "../db/database.js";
import { migrateDatabase } from "../db/migrate.js";
import { errorMessage } from "../domain/error-message.js";
import { startGitHubStandin } from "../github-standin/index.js";
import { createLifecycle, systemClock } from "../lifecycle/index.js";
import { createStore, startLoop } from "../store/index.js";
import { startDemoApp, WEBHOOK_PATH } from "./app-server.js";
import { demoCi } from "./ci.js";
import { decisionLog } from "./decision-log.js";
import { evaluateEndStates } from "./end-states.js";
import { demoLogger } from "./logger.js";
import { startDemoLoops } from "./loops.js";
import type { DemoOptions } from "./options.js";
import { demoPerson } from "./person.js";
import { DEMO_HOST } from "./port.js";
import { installPushHook, startPushReceiver } from "./push-receiver.js";
import type { Reporter } from "./reporter.js";
import {
  DEMO_CI_APP,
  DEMO_CI_CHECK,
  DEMO_CONFIG_YAML,
  DEMO_ENVIRONMENT,
  DEMO_FILES,
  DEMO_PERSON,
  DEMO_REPOSITORY,
  DEMO_TICKETS,
} from "./scenario.js";
import { answersByKey, arrangeGitHub, createTickets } from "./setup.js";
import { agentEnvironment, demoLauncher } from "./workers.js";
import { createWorkspace, type Workspace } from "./workspace.js";

const HOST = DEMO_HOST;

/**
 * How often each loop looks for work: short, so the story takes seconds, but not so short that
 * polling the embedded database (one process, every write through its file system) is the work.
 */
export const DEMO_INTERVALS = {
  dispatchMs: 1_000,
  orchestrateMs: 1_000,
  appPollMs: 500,
  personMs: 1_000,
  logMs: 500,
  /** --once re-checks the end states when the log moved, and at least this often. */
  endStateMs: 3_000,
} as const;

export interface DemoRun {
  readonly options: DemoOptions;
  /** The built sample agent (dist/demo/agent.js). */
  readonly agentPath: string;
  /** The built post-receive hook program (dist/demo/push-hook.js). */
  readonly pushHookPath: string;
  readonly reporter: Reporter;
  /** The app's port, checked free by the caller (1. in main.ts). */
  readonly port: number;
  /** Aborted on Ctrl-C / SIGTERM: the demo stops and cleans up. */
  readonly stop: AbortSignal;
}

/** Runs the demo until `--once` decides or it is told to stop; returns the exit code. */
export async function runDemo(run: DemoRun): Promise<number> {
  const { options, reporter } = run;
  const config = parseConfig(DEMO_CONFIG_YAML, "demo configuration");
  const port = run.port;
  // 2. The temporary folder, with origin and the local clone.
  const workspace = await createWorkspace(DEMO_FILES);
  const closers: { name: string; close: () => Promise<void> }[] = [];
  const log = demoLogger(workspace);
  let exitCode = 1;
  try {
    exitCode = await runIn(run, { config, port, workspace, log, closers });
  } catch (error) {
    reporter.error(errorMessage(error));
    log.error({ err: error }, "the demo failed");
    exitCode = 1;
  } finally {
    // Stop in reverse order of starting: loops and workers, then servers, then the database.
    for (const closer of closers.reverse()) {
      const t0 = performance.now();
      await closer
        .close()
        .catch((error: unknown) => log.error({ err: error, closer: closer.name }, "stop failed"));
      log.info({ closer: closer.name, ms: Math.round(performance.now() - t0) }, "stopped");
    }
    log.flush();
    if (!options.keep) await workspace.remove();
    reporter.stopped({ dir: workspace.root, removed: !options.keep });
  }
  return exitCode;
}

interface Context {
  readonly config: Config;
  readonly port: number;
  readonly workspace: Workspace;
  readonly log: Logger;
  readonly closers: { name: string; close: () => Promise<void> }[];
}

async function runIn(run: DemoRun, ctx: Context): Promise<number> {
  const { options, reporter } = run;
  const { config, port, workspace, log, closers } = ctx;
  const started = performance.now();
  const phase = (name: string) =>
    log.info({ phase: name, ms: Math.round(performance.now() - started) }, "demo phase");
  const warn = (message: string, detail?: Record<string, unknown>) => log.warn(detail ?? {}, message);

  // 3. Credentials of this run only (never printed): the app's key and the webhook secret.
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  const webhookSecret = randomBytes(24).toString("hex");
  phase("keys");

  // 4. The embedded database, fresh and migrated.
  const handle: DatabaseHandle = await openDatabase({ driver: "pglite", dataDir: workspace.dataDir });
  closers.push({ name: "database", close: () => handle.close() });
  // The last decision-log entries are read once everything else has stopped, before the database closes.
  let finalEntries = async () => {};
  closers.push({ name: "decision log", close: () => finalEntries() });
  await migrateDatabase(handle);
  const lifecycle = createLifecycle({ db: handle.db, clock: systemClock, keyPrefix: "MC" });
  const store = createStore({ db: handle.db, clock: systemClock });
  phase("database");

  // 5. The GitHub stand-in, delivering signed webhooks to the app's port.
  const gh = await startGitHubStandin({
    app: { privateKey, slug: "mission-control", name: "Mission Control" },
    webhook: { url: `http://${HOST}:${port}${WEBHOOK_PATH}`, secret: webhookSecret },
  });
  closers.push({ name: "github stand-in", close: () => gh.stop() });
  phase("github stand-in");

  // 6. The app (webhooks, /mc commands, mirror, evidence re-evaluation, JSON API, board).
  const app = await startDemoApp({
    lifecycle,
    store,
    clock: systemClock,
    config,
    host: HOST,
    port,
    appId: gh.app.id,
    privateKey,
    webhookSecret,
    githubUrl: gh.url,
    log,
    pollMs: DEMO_INTERVALS.appPollMs,
    orchestrateMs: DEMO_INTERVALS.orchestrateMs,
  });
  closers.push({
    name: "app",
    close: async () => {
      await gh.webhooks.settle();
      await app.stop();
    },
  });

  phase("app");
  // 7. The repository on the stand-in: its default branch at git's first commit, alice, the CI app.
  arrangeGitHub(gh, workspace);

  // 8. The tickets, through the lifecycle.
  const tracked = await createTickets(lifecycle);
  // --timeout counts from the first ticket, not from the process's start: on a busy machine the
  // set-up (keys, database, app, stand-in) took most of the old 120 s, and the story never had its time.
  const deadline = Date.now() + options.timeout * 1000;
  const answers = answersByKey(tracked);

  // 9. The loops: dispatcher (launching runners in this process), CI, alice (the orchestrator runs in the app).
  const launcher = demoLauncher({ lifecycle, config, workspace, log, agentPath: run.agentPath, app });
  closers.push({ name: "workers", close: () => launcher.stop() });
  const loops = startDemoLoops({
    lifecycle,
    config,
    launcher,
    log,
    dispatchMs: DEMO_INTERVALS.dispatchMs,
  });
  const ci = demoCi({
    gh,
    repository: DEMO_REPOSITORY,
    origin: workspace.origin,
    checkouts: workspace.ciDir,
    app: DEMO_CI_APP,
    checkName: DEMO_CI_CHECK,
    environment: DEMO_ENVIRONMENT,
    merger: DEMO_PERSON,
    build: [process.execPath, "build.mjs"],
    env: agentEnvironment(),
    log: (message, detail) => log.info(detail, message),
  });
  // Pushes to origin reach the stand-in through origin's post-receive hook, while the push waits.
  const receiver = await startPushReceiver((updates) => ci.received(updates));
  await installPushHook(workspace.origin, receiver, run.pushHookPath);
  const person = demoPerson({ gh, lifecycle, repository: DEMO_REPOSITORY, login: DEMO_PERSON, answers });
  const personLoop = startLoop("person", () => person.poll(), DEMO_INTERVALS.personMs, warn);
  // Stopped before the workers (closers run in reverse): nothing new is claimed, built or answered.
  closers.push({
    name: "loops",
    close: async () => {
      await loops.stop();
      await personLoop.stop();
      await ci.stop();
      await receiver.close();
    },
  });

  phase("started");
  reporter.started({
    board: `http://localhost:${port}/board`,
    api: `http://localhost:${port}/api/v1/tickets`,
    port,
    github: gh.url,
    repository: DEMO_REPOSITORY,
    dir: workspace.root,
    tickets: tracked.map((t) => ({
      key: t.key,
      role: t.role,
      title: String(DEMO_TICKETS.find((d) => d.role === t.role)?.ticket.title ?? ""),
    })),
  });

  // 10. The decision log, read back from the database, until --once decides or a stop.
  const decisions = decisionLog(lifecycle, store.deliveries, DEMO_REPOSITORY, tracked);
  const printNew = async () => {
    for (const entry of await decisions.poll()) reporter.entry(entry);
  };
  finalEntries = printNew;
  let checkedAt = 0;
  let announced = false;
  for (;;) {
    await sleep(DEMO_INTERVALS.logMs, run.stop);
    const entries = await decisions.poll();
    for (const entry of entries) reporter.entry(entry);
    if (run.stop.aborted) break;
    if (options.once && Date.now() >= deadline) break;
    if (announced) continue;
    if (!entries.length && Date.now() - checkedAt < DEMO_INTERVALS.endStateMs) continue;
    checkedAt = Date.now();
    const now = evaluateEndStates(await decisions.outcomes(), DEMO_PERSON);
    if (!now.every((r) => r.ok)) continue;
    if (options.once) break;
    // Without --once the demo serves on: say the story is over and how to leave, once.
    reporter.complete({ tickets: now.length, board: `http://localhost:${port}/board`, lingerSeconds: null });
    announced = true;
  }
  const rows = evaluateEndStates(await decisions.outcomes(), DEMO_PERSON);
  const ok = rows.every((r) => r.ok);
  const reason = ok ? "reached" : run.stop.aborted ? "stopped" : "timeout";
  reporter.summary(rows, ok, reason, { timeoutSeconds: options.timeout });
  if (options.once && ok && options.linger > 0 && !run.stop.aborted) {
    reporter.complete({
      tickets: rows.length,
      board: `http://localhost:${port}/board`,
      lingerSeconds: options.linger,
    });
    const until = Date.now() + options.linger * 1000;
    while (!run.stop.aborted && Date.now() < until) {
      await sleep(Math.min(DEMO_INTERVALS.logMs, until - Date.now()), run.stop);
      await printNew();
    }
  }
  // Without --once a stop is the normal end; with it, only reaching every end state is success.
  return !options.once || ok ? 0 : 1;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
