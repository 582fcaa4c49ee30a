import { type ChildProcess, spawn } from "node:child_process";
import { chmod, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach } from "vitest";
import type { AttemptRow, TicketRow } from "../../../src/db/schema.js";
import type { Lifecycle } from "../../../src/lifecycle/index.js";
import type { NewTicket } from "../../../src/lifecycle/schemas.js";
import { dispatcher, newTicket } from "../../builders/tickets.js";
import { captureChildOutput, MCTL, tempDir } from "../../helpers/cli.js";
import { until as pollUntil } from "../../helpers/until.js";
import type { SharedDatabase } from "./databases.js";
import { GIT_ENV, type GitFixture, gitFixture } from "./git-fixture.js";

export interface WorkerSettings {
  readonly leaseSeconds?: number;
  readonly heartbeatSeconds?: number;
  readonly graceSeconds?: number;
  readonly testCommand?: readonly string[];
}

/** Writes the configuration file the worker reads (MCTL_CONFIG). */
export async function writeConfig(file: string, settings: WorkerSettings = {}): Promise<string> {
  const lines = [
    "dispatch:",
    `  attempt_lease_seconds: ${settings.leaseSeconds ?? 60}`,
    "  backoff: { base_seconds: 1, cap_seconds: 1 }",
    "worker:",
    // No heartbeat during a short agent unless a test asks for one: each one opens the database.
    `  heartbeat_seconds: ${settings.heartbeatSeconds ?? 30}`,
    `  stop_grace_seconds: ${settings.graceSeconds ?? 1}`,
    "  log_max_bytes: 4096",
  ];
  if (settings.testCommand) lines.push(`  test_command: ${JSON.stringify(settings.testCommand)}`);
  await writeFile(file, `${lines.join("\n")}\n`);
  return file;
}

/** A shell script agent; it runs in the ticket worktree with MCTL_* set and `$MCTL` = the built CLI. */
export async function writeAgent(dir: string, name: string, body: string): Promise<string> {
  const file = path.join(dir, `${name}.sh`);
  await writeFile(file, `#!/bin/sh\nset -e\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

export interface Claimed {
  readonly ticket: TicketRow;
  readonly attempt: AttemptRow;
}

/** A ticket claimed by the (simulated) dispatcher: in_progress with a `launching` attempt. */
export async function givenClaimed(db: SharedDatabase, overrides: Partial<NewTicket> = {}): Promise<Claimed> {
  return db.withLifecycle((lifecycle) => claim(lifecycle, overrides));
}

/** A claimed ticket whose attempt a worker has taken (`running`) with a lease of `leaseMs`. */
export async function givenRunning(db: SharedDatabase, leaseMs: number): Promise<Claimed> {
  return db.withLifecycle(async (lifecycle) => {
    const { ticket, attempt } = await claim(lifecycle, {});
    const started = await lifecycle.startAttempt({
      attemptId: attempt.id,
      launchKey: attempt.launchKey,
      leaseMs,
    });
    if (!started.ok) throw new Error(`test set-up: ${started.message}`);
    return { ticket, attempt: started.attempt };
  });
}

async function claim(lifecycle: Lifecycle, overrides: Partial<NewTicket>): Promise<Claimed> {
  const created = await lifecycle.createTicket(newTicket(overrides), { kind: "human", id: "octocat" });
  if (!created.ok) throw new Error(`test set-up: ${created.message}`);
  const claimed = await lifecycle.claim({
    ticket: created.ticket.key,
    expectedVersion: created.ticket.version,
    worker: "agent-1",
    actor: dispatcher,
    leaseMs: 120_000,
    fence: null,
  });
  if (!claimed.ok) throw new Error(`test set-up: ${claimed.message}`);
  return { ticket: claimed.ticket, attempt: claimed.attempt };
}

export interface WorkerRun {
  readonly child: ChildProcess;
  readonly done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Starts a real `mctl` process with a clean environment (plus `env`) in `cwd`. */
export function startMctl(args: readonly string[], env: Record<string, string>, cwd: string): WorkerRun {
  const child = spawn(process.execPath, [MCTL, ...args], {
    cwd,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: cwd,
      ...GIT_ENV,
      MCTL_LOCK_WAIT_MS: "60000",
      NODE: process.execPath,
      MCTL: MCTL,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  captureChildOutput(child, `mctl-${args[0] ?? ""}`);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done };
}

export interface Workspace {
  readonly dir: string;
  readonly git: GitFixture;
  readonly config: string;
  /** Environment of a worker process: the database and the configuration. */
  env(): Record<string, string>;
  /** `mctl worker run --attempt … --repo … -- agent` as a real process. */
  runWorker(attemptId: string, agent: readonly string[], extra?: readonly string[]): WorkerRun;
}

export async function workspace(
  db: SharedDatabase,
  dir: string,
  settings: WorkerSettings = {},
): Promise<Workspace> {
  const fixture = await gitFixture(dir);
  const config = await writeConfig(path.join(dir, "mission-control.yml"), settings);
  const env = () => ({ ...db.env(), MCTL_CONFIG: config });
  return {
    dir,
    git: fixture,
    config,
    env,
    runWorker: (attemptId, agent, extra = []) =>
      startMctl(
        ["worker", "run", "--attempt", attemptId, "--repo", fixture.repo, ...extra, "--", ...agent],
        env(),
        dir,
      ),
  };
}

/** The runner suites' spelling of the shared `until` (test/helpers/until.ts): no deadline of its own. */
export function until(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  return pollUntil(check, { what });
}

/**
 * Per-test scaffold of the runner suites: a fresh temporary folder for every test (removed after
 * it), `setUp(settings)` to build the workspace (git fixture, config) in it, `file(name)` for paths
 * inside it.
 */
export function workerSandbox(db: SharedDatabase) {
  let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
  let current: Workspace | undefined;
  beforeEach(async () => {
    dir = await tempDir("mctl-worker-");
    current = undefined;
  });
  afterEach(async () => dir?.remove());
  const folder = () => {
    if (!dir) throw new Error("the worker sandbox is only available inside a test");
    return dir.path;
  };
  return {
    get dir(): string {
      return folder();
    },
    get ws(): Workspace {
      if (!current) throw new Error("call setUp() first");
      return current;
    },
    async setUp(settings: WorkerSettings = {}): Promise<Workspace> {
      current = await workspace(db, folder(), settings);
      return current;
    },
    file: (name: string) => path.join(folder(), name),
  };
}
