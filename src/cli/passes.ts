import { isTransientDatabaseError } from "../db/errors.js";
import { backoffDelay } from "../domain/backoff.js";
import { errorMessage, firstLine } from "../domain/error-message.js";

/** The longest wait between tries while the database is unreachable. */
const MAX_BACKOFF_MS = 5 * 60_000;

export interface PassOptions {
  /** Run passes until stopped (`--loop`); otherwise exactly one. */
  readonly loop: boolean;
  /** Pause between passes. */
  readonly intervalMs: number;
  /** With `loop`: stop after this many passes that ran (a pass lost to an outage does not count). */
  readonly maxPasses?: number | undefined;
}

/**
 * Runs `pass` once, or with `loop` every `intervalMs` until SIGINT or SIGTERM (or `maxPasses`). A
 * signal never interrupts a running pass: it ends the pause at once, or stops the loop after the
 * pass in progress, and the command exits normally (what a scheduler's stop or Ctrl-C expects).
 *
 * A loop outlives outages: a pass that fails because the database is unreachable (a restart, a
 * failover) is logged on stderr, and the loop waits — the interval, doubled per failure in a row,
 * at most 5 minutes — and carries on. Any other error ends the loop as before; a single pass (no
 * `--loop`) fails at once, so a scheduler sees the failure.
 */
export async function runPasses(options: PassOptions, pass: (n: number) => Promise<void>): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  let stopping = false;
  let wake: () => void = () => {};
  const stop = () => {
    stopping = true;
    wake();
  };
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    let failures = 0;
    for (let n = 1; ; ) {
      try {
        await pass(n);
        if (failures > 0) log(`the database is back after ${failures} failed pass(es); carrying on`);
        failures = 0;
      } catch (error) {
        if (!options.loop || !isTransientDatabaseError(error)) throw error;
        failures++;
        const waitMs = backoffDelay(failures, {
          baseMs: Math.max(options.intervalMs, 1000),
          capMs: MAX_BACKOFF_MS,
        });
        log(
          `the database is unavailable (${firstLine(errorMessage(error))}); pass ${n} did not run, trying again in ${Math.round(waitMs / 1000)} s`,
        );
        if (stopping) return;
        await pause(waitMs);
        if (stopping) return;
        continue;
      }
      if (!options.loop || stopping || (options.maxPasses && n >= options.maxPasses)) return;
      n++;
      await pause(options.intervalMs);
      if (stopping) return;
    }
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}
