/**
 * The chaos driver: a kill schedule drawn from the seed (pure: `planKills`), then carried out
 * against the live processes (`ChaosDriver`): kill -9 of a dispatcher, an orchestrator, the app,
 * one worker, or every worker at once; roles come back after a seeded downtime. Every kill is
 * printed with its time and the seed.
 */

import type { Rng } from "./prng.js";
import { findWorkers, killWorker, type Role } from "./processes.js";

export const KILL_TARGETS = ["dispatcher", "orchestrator", "app", "worker", "all_workers"] as const;
export type KillTarget = (typeof KILL_TARGETS)[number];

export interface PlannedKill {
  /** Milliseconds after the start of the chaos window. */
  readonly atMs: number;
  readonly target: KillTarget;
  /** Which of the live candidates, as a fraction: the n-th of `count` is `floor(pick * count)`. */
  readonly pick: number;
  /** How long a killed role stays down before it is started again. */
  readonly downMs: number;
}

export interface KillPlanOptions {
  /** Kills happen within [0, windowMs). */
  readonly windowMs: number;
  readonly maxKills: number;
  readonly gapMs: readonly [min: number, max: number];
  readonly downMs: readonly [min: number, max: number];
  readonly weights: Readonly<Record<KillTarget, number>>;
}

export const DEFAULT_WEIGHTS: Readonly<Record<KillTarget, number>> = {
  worker: 40,
  dispatcher: 20,
  orchestrator: 15,
  app: 10,
  all_workers: 15,
};

/** The kill schedule: bounded in count and in time, the same for the same seed. */
export function planKills(rng: Rng, options: KillPlanOptions): PlannedKill[] {
  const plan: PlannedKill[] = [];
  let at = rng.between(options.gapMs[0], options.gapMs[1]);
  while (plan.length < options.maxKills && at < options.windowMs) {
    plan.push({
      atMs: Math.round(at),
      target: rng.weighted(options.weights),
      pick: rng.next(),
      downMs: Math.round(rng.between(options.downMs[0], options.downMs[1])),
    });
    at += rng.between(options.gapMs[0], options.gapMs[1]);
  }
  return plan;
}

export interface KillRecord {
  readonly atMs: number;
  readonly target: KillTarget;
  /** What was killed: role names with pids, or worker pids with their attempts; empty if nothing was alive. */
  readonly victims: readonly string[];
  readonly downMs: number;
}

/** Carries out a kill plan against the roles and the workers running in `workerCwd`. */
export class ChaosDriver {
  readonly kills: KillRecord[] = [];
  #stopped = false;
  /** Pending restarts of killed roles. */
  #restarts = new Set<NodeJS.Timeout>();
  /** Ends the wait for the next kill early (on stop). */
  #wake: () => void = () => {};
  #done: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: {
      readonly roles: Readonly<Record<"dispatcher" | "orchestrator" | "app", readonly Role[]>>;
      readonly workerCwd: string;
      readonly seed: number;
      readonly log: (line: string) => void;
      /** Called when a role was started again (the app's restart asks for webhook redelivery). */
      readonly onRestart?: (role: Role) => void;
    },
  ) {}

  /** Starts carrying out `plan`, its times counted from now. */
  run(plan: readonly PlannedKill[]): void {
    const started = Date.now();
    this.#done = (async () => {
      for (const kill of plan) {
        const wait = started + kill.atMs - Date.now();
        if (wait > 0) await this.#sleep(wait);
        if (this.#stopped) return;
        await this.#execute(kill);
      }
    })();
  }

  /** No more kills; killed roles are started again at once. Resolves when the driver is idle. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake();
    for (const timer of this.#restarts) clearTimeout(timer);
    this.#restarts.clear();
    await this.#done;
    for (const roles of Object.values(this.deps.roles))
      for (const role of roles)
        if (!role.alive) {
          role.start();
          this.deps.onRestart?.(role);
        }
  }

  async #execute(kill: PlannedKill): Promise<void> {
    const victims: string[] = [];
    if (kill.target === "worker" || kill.target === "all_workers") {
      const workers = findWorkers(this.deps.workerCwd);
      const chosen = kill.target === "worker" ? pickOne(workers, kill.pick) : workers;
      for (const worker of chosen) {
        killWorker(worker.pid);
        victims.push(
          `worker pid ${worker.pid}${worker.stopped ? " (hung)" : ""} attempt ${worker.attempt ?? "?"}`,
        );
      }
    } else {
      const role = pickOne(
        this.deps.roles[kill.target].filter((r) => r.alive),
        kill.pick,
      )[0];
      if (role) {
        const pid = await role.kill9();
        victims.push(`${role.spec.name} pid ${pid}`);
        this.#restartLater(role, kill.downMs);
      }
    }
    this.kills.push({ atMs: kill.atMs, target: kill.target, victims, downMs: kill.downMs });
    const what = victims.length ? victims.join(", ") : "nothing alive";
    const restart =
      kill.target === "worker" || kill.target === "all_workers" ? "" : `, back in ${kill.downMs} ms`;
    this.deps.log(
      `[chaos seed=${this.deps.seed}] +${(kill.atMs / 1000).toFixed(1)}s kill -9 ${kill.target}: ${what}${restart}`,
    );
  }

  #restartLater(role: Role, ms: number): void {
    const timer = setTimeout(() => {
      this.#restarts.delete(timer);
      if (role.alive || this.#stopped) return;
      role.start();
      this.deps.onRestart?.(role);
    }, ms);
    this.#restarts.add(timer);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

function pickOne<T>(candidates: readonly T[], pick: number): T[] {
  const chosen = candidates[Math.floor(pick * candidates.length)];
  return chosen === undefined ? [] : [chosen];
}
