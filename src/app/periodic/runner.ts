/**
 * Periodic work inside the app (DESIGN.md "Deployment": periodic work lives in the app). Each task
 * runs every `intervalMs` under a lease of its own (`app:<name>` in the lease table), so with
 * several replicas one runs it at a time: a pass takes the lease for its interval (plus slack),
 * and the replica that holds it takes it again at its next tick while the others find it held.
 * A replica that dies lets its lease expire and another takes over.
 *
 * A failure never ends a task's loop: it is logged and recorded for `/api/health`; a transient one
 * (the database or GitHub away) is retried after the interval doubled per failure in a row, capped.
 * A task whose transient failures last longer than the outage policy's `alertAfterMs` raises an
 * `outage` alert (subject `app:<task>`): recorded at once when the database answers (GitHub was
 * what failed), otherwise logged at error level and recorded, naming how long the outage lasted,
 * by the first pass that works again; resolved once the task has worked again for as long. The
 * app never exits for an outage (its `/api/health` answers 503 while the database is away).
 */
import { backoffDelay } from "../../domain/backoff.js";
import { errorMessage, firstLine } from "../../domain/error-message.js";
import {
  describeDuration,
  type OutageAlertPort,
  type OutageEvent,
  type OutagePolicy,
  OutageWatch,
  outageDurationMs,
} from "../../domain/outage.js";
import { redactSecrets } from "../../domain/redact.js";
import type { HeldLease, LockHeld } from "../../lifecycle/index.js";
import type { PeriodicOutcome, PeriodicStatusBoard, PeriodicTaskStatus } from "./status.js";
import { isTransientFailure } from "../../db/errors.js";

export interface PeriodicTask {
  /** Names the task in logs, on `/api/health` and in its lease (`app:<name>`). */
  readonly name: string;
  readonly intervalMs: number;
  /** One pass. `paused`: its maintenance setting is off, nothing was done. */
  run(): Promise<"completed" | "paused">;
}

export interface PeriodicDeps {
  readonly leases: {
    acquireLease(input: { name: string; holder: string; ttlMs: number }): Promise<HeldLease | LockHeld>;
  };
  /** This replica's name in the lease table. */
  readonly holder: string;
  readonly clock: { now(): Date };
  readonly status: PeriodicStatusBoard;
  readonly log: (level: "info" | "warn" | "error", message: string, detail: Record<string, unknown>) => void;
  /** Which failures are outages to back off from (default: database unreachable, GitHub 5xx/429/network). */
  readonly transient?: (error: unknown) => boolean;
  /** The longest pause after failures in a row (default 5 minutes). */
  readonly maxBackoffMs?: number;
  /** Added to the interval for the lease's term, so a slow pass keeps it (default 60 s). */
  readonly leaseSlackMs?: number;
  /** When a task's outage raises its `outage` alert, and where it goes (absent: none is raised). */
  readonly outage?: PeriodicOutageAlerts;
}

export interface PeriodicOutageAlerts {
  /** `limitMs` is not used: the app never gives up. */
  readonly policy: OutagePolicy;
  readonly alerts: OutageAlertPort;
}

/** The lease a periodic task runs under. */
export function periodicLeaseName(task: string): string {
  return `app:${task}`;
}

/** One tick of a task: take its lease, run it, record the outcome. Never throws. */
export async function runPeriodicOnce(task: PeriodicTask, deps: PeriodicDeps): Promise<PeriodicTaskStatus> {
  if (!deps.status.get(task.name)) deps.status.register(task.name, task.intervalMs);
  let outcome: PeriodicOutcome;
  try {
    const lease = await deps.leases.acquireLease({
      name: periodicLeaseName(task.name),
      holder: deps.holder,
      ttlMs: task.intervalMs + (deps.leaseSlackMs ?? 60_000),
    });
    outcome = lease.ok ? await task.run() : "lock_held";
  } catch (error) {
    // Served on /api/health: one line, masked like the log.
    const message = redactSecrets(firstLine(errorMessage(error)));
    const transient = (deps.transient ?? isTransientFailure)(error);
    const status = deps.status.record(task.name, deps.clock.now(), "failed", message);
    deps.log(transient ? "warn" : "error", `${task.name} failed; it runs again after its pause`, {
      task: task.name,
      transient,
      failures_in_a_row: status.failures_in_a_row,
      error: message,
    });
    return status;
  }
  return deps.status.record(task.name, deps.clock.now(), outcome);
}

/** The pause before the next tick: the interval, or after transient failures the interval doubled per failure, capped. */
export function nextPauseMs(
  task: PeriodicTask,
  status: PeriodicTaskStatus,
  transient: boolean,
  maxBackoffMs: number,
): number {
  if (status.last_outcome !== "failed" || !transient) return task.intervalMs;
  return backoffDelay(status.failures_in_a_row, {
    baseMs: task.intervalMs,
    capMs: Math.max(maxBackoffMs, task.intervalMs),
  });
}

export interface PeriodicTasks {
  /** Stops every task's timer and waits for the passes in progress. */
  stop(): Promise<void>;
}

/** Starts every task at once (the first pass on start), then each on its own interval. */
export function startPeriodicTasks(tasks: readonly PeriodicTask[], deps: PeriodicDeps): PeriodicTasks {
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  const maxBackoffMs = deps.maxBackoffMs ?? 5 * 60_000;
  for (const task of tasks) deps.status.register(task.name, task.intervalMs);
  const outages = outageTracker(deps);
  const tick = (task: PeriodicTask) => {
    let lastError: unknown = null;
    const transientOf = deps.transient ?? isTransientFailure;
    const pass = (async () => {
      const status = await runPeriodicOnce(task, {
        ...deps,
        transient: (error) => {
          lastError = error;
          return transientOf(error);
        },
      });
      const transient = lastError !== null && transientOf(lastError);
      await outages.after(task.name, status, transient);
      return { status, transient };
    })().then(({ status, transient }) => {
      running.delete(pass);
      if (stopped) return;
      const pause = nextPauseMs(task, status, transient, maxBackoffMs);
      const timer = setTimeout(() => {
        timers.delete(timer);
        tick(task);
      }, pause);
      timers.add(timer);
    });
    running.add(pass);
  };
  for (const task of tasks) tick(task);
  return {
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all([...running]);
    },
  };
}

/**
 * Each task's outage (transient failures in a row) and its `outage` alert (OutageWatch, subject
 * `app:<task>`). `after` never throws: the alert is logged whether or not it could be written.
 */
function outageTracker(deps: PeriodicDeps) {
  const watches = new Map<string, OutageWatch>();
  const outage = deps.outage;
  const say = (task: string) => (event: OutageEvent) => {
    if (event.kind === "back")
      deps.log("info", `${task} works again`, {
        task,
        failures: event.outage.failures,
        down: describeDuration(outageDurationMs(event.outage, event.now)),
      });
    else if (event.kind === "alert")
      deps.log(event.recorded ? "warn" : "error", "outage alert", {
        task,
        alert: event.finding.message,
        recorded: event.recorded,
        ...(event.why ? { why: event.why } : {}),
      });
    else deps.log("info", "outage alert resolved", { task, recorded: event.recorded });
  };
  const watchOf = (task: string, policy: OutagePolicy, alerts: OutageAlertPort) => {
    let watch = watches.get(task);
    if (!watch) {
      watch = new OutageWatch(`app:${task}`, { ...policy, limitMs: null }, alerts, say(task), (error) =>
        redactSecrets(firstLine(errorMessage(error))),
      );
      watches.set(task, watch);
    }
    return watch;
  };
  return {
    async after(name: string, status: PeriodicTaskStatus, transient: boolean): Promise<void> {
      if (!outage) return;
      const watch = watchOf(name, outage.policy, outage.alerts);
      const now = deps.clock.now();
      if (status.last_outcome !== "failed") return watch.worked(now);
      // A failure that is not an outage (a bug, a refusal) neither starts nor ends one.
      if (transient) await watch.failed(now, status.last_error ?? "failed");
    },
  };
}
