/**
 * Working a leased queue (src/store/leased-queue.ts), whatever its rows: one pass takes due jobs,
 * handles each, completes it or fails it with back-off; `runUntilIdle` drains (tests, `--once`),
 * `startLoop` polls. A new queue's worker is a `QueueWorker`: its take/complete/fail from the
 * store and its `handle`.
 */

/** The store side of a queue, as a worker sees it (the mirror and re-evaluation ports both fit). */
export interface QueuePort<Job> {
  take(input: { worker: string; leaseMs: number; limit: number }): Promise<readonly Job[]>;
  complete(input: {
    job: Job;
    worker: string;
  }): Promise<{ readonly ok: true; readonly done: number } | { readonly ok: false }>;
  fail(input: { job: Job; worker: string; error: string; delayMs: number }): Promise<unknown>;
}

export interface QueueWorker<Job extends { readonly tries: number }> {
  /** Names the queue in log lines ("mirror batch failed"). */
  readonly name: string;
  readonly queue: QueuePort<Job>;
  /** Names this process in the rows it takes. */
  readonly worker: string;
  readonly leaseMs: number;
  readonly batchLimit: number;
  /** Does the work; throwing fails the job (it is tried again after `retryDelayMs`). */
  handle(job: Job): Promise<void>;
  /** The wait before the job's next try (`tries` failures so far; the error may name a wait). */
  retryDelayMs(tries: number, error: unknown): number;
  /** Detail of a job for the failure log line. */
  describe?(job: Job): Record<string, unknown>;
  readonly log?: ((message: string, detail?: Record<string, unknown>) => void) | undefined;
}

export interface PassReport {
  /** Jobs taken. */
  readonly taken: number;
  /** Rows marked done (a batch may complete several). */
  readonly done: number;
  readonly failed: number;
}

/** One pass: take due jobs, handle each in order, complete or fail it. A lost lease is not a failure. */
export async function runQueuePass<Job extends { readonly tries: number }>(
  w: QueueWorker<Job>,
): Promise<PassReport> {
  const jobs = await w.queue.take({ worker: w.worker, leaseMs: w.leaseMs, limit: w.batchLimit });
  let done = 0;
  let failed = 0;
  for (const job of jobs) {
    try {
      await w.handle(job);
      const completed = await w.queue.complete({ job, worker: w.worker });
      if (completed.ok) done += completed.done;
    } catch (error) {
      failed += 1;
      const delayMs = w.retryDelayMs(job.tries, error);
      w.log?.(`${w.name} failed`, {
        ...w.describe?.(job),
        tries: job.tries + 1,
        delay: delayMs,
        error: String(error),
      });
      await w.queue.fail({ job, worker: w.worker, error: String(error), delayMs });
    }
  }
  return { taken: jobs.length, done, failed };
}

/** Runs passes until one takes nothing (at most `maxPasses`), adding up their reports. */
export async function runUntilIdle(pass: () => Promise<PassReport>, maxPasses = 1000): Promise<PassReport> {
  const total = { taken: 0, done: 0, failed: 0 };
  for (let i = 0; i < maxPasses; i += 1) {
    const report = await pass();
    total.taken += report.taken;
    total.done += report.done;
    total.failed += report.failed;
    if (report.taken === 0) break;
  }
  return total;
}

/** More work is likely waiting: the pass took something and nothing failed (a failure waits for its back-off). */
export function isBusy(report: PassReport): boolean {
  return report.taken > 0 && report.failed === 0;
}

export interface Loop {
  /** Stops polling and waits for the running pass to end. */
  stop(): Promise<void>;
}

/**
 * Runs `pass` every `pollMs`, and at once again while it reports more work, one pass at a time.
 * A failing pass is logged and retried after `pollMs`. Accepts a queue pass (busy per `isBusy`)
 * or any periodic work that says whether it is busy.
 */
export function startLoop(
  name: string,
  pass: () => Promise<PassReport | { readonly busy: boolean }>,
  pollMs: number,
  log?: (message: string, detail: Record<string, unknown>) => void,
): Loop {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = pass()
      .then(
        (result) => ("busy" in result ? result.busy : isBusy(result)),
        (error: unknown) => {
          log?.(`${name} pass failed`, { error: String(error) });
          return false;
        },
      )
      .then((busy) => {
        if (!stopped) timer = setTimeout(tick, busy ? 0 : pollMs);
      });
  };
  tick();
  return {
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
