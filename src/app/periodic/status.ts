/** What `/api/health` shows of one periodic task (snake_case: it is served as JSON). */
export interface PeriodicTaskStatus {
  readonly name: string;
  readonly interval_seconds: number;
  /** When a pass last ended (completed, paused or failed); null before the first. */
  readonly last_run_at: string | null;
  /** `completed`, `paused` (its maintenance setting), `lock_held` (another replica runs it) or `failed`. */
  readonly last_outcome: PeriodicOutcome | null;
  readonly last_error: string | null;
  readonly last_error_at: string | null;
  /** Failures in a row; the pause before the next try doubles with each transient one. */
  readonly failures_in_a_row: number;
}

export type PeriodicOutcome = "completed" | "paused" | "lock_held" | "failed";

/** The status of every task the app runs, kept in memory by the runner and read by the health route. */
export class PeriodicStatusBoard {
  readonly #tasks = new Map<string, PeriodicTaskStatus>();

  register(name: string, intervalMs: number): void {
    this.#tasks.set(name, {
      name,
      interval_seconds: Math.round(intervalMs / 1000),
      last_run_at: null,
      last_outcome: null,
      last_error: null,
      last_error_at: null,
      failures_in_a_row: 0,
    });
  }

  record(name: string, at: Date, outcome: PeriodicOutcome, error?: string): PeriodicTaskStatus {
    const previous = this.#tasks.get(name);
    if (!previous) throw new Error(`periodic task ${name} is not registered`);
    const next: PeriodicTaskStatus = {
      ...previous,
      last_run_at: at.toISOString(),
      last_outcome: outcome,
      ...(outcome === "failed"
        ? {
            last_error: error ?? "unknown error",
            last_error_at: at.toISOString(),
            failures_in_a_row: previous.failures_in_a_row + 1,
          }
        : { failures_in_a_row: 0 }),
    };
    this.#tasks.set(name, next);
    return next;
  }

  get(name: string): PeriodicTaskStatus | undefined {
    return this.#tasks.get(name);
  }

  list(): readonly PeriodicTaskStatus[] {
    return [...this.#tasks.values()];
  }
}
