import { isTransientDatabaseError } from "../db/errors.js";
import { errorMessage } from "../domain/error-message.js";

export interface PassOptions {
  /** Run passes until stopped (`--loop`); otherwise exactly one. */
  readonly loop: boolean;
  /** Pause between passes. */
  readonly intervalMs: number;
  /** With `loop`: stop after this many passes that ran (a pass lost to an outage does not count). */
  readonly maxPasses?: number | undefined;
  /** The longest wait between tries while the database is unreachable (default 5 minutes). */
  readonly maxBackoffMs?: number;
  /** Where the loop says that it waits for the database (default: stderr). */
  readonly log?: (line: string) => void;
  /** Which failures are outages to wait out (default: the database is unreachable). */
  readonly transient?: (error: unknown) => boolean;
}

/**
 * Runs `pass` once, or with `loop` every `intervalMs` until SIGINT or SIGTERM (or `maxPasses`). A
 * signal never interrupts a running pass: it ends the pause at once, or stops the loop after the
 * pass in progress, and the command exits normally (what a scheduler's stop or Ctrl-C expects).
 *
 * A loop outlives outages: a pass that fails because the database is unreachable (a restart, a
 * failover) is logged, and the loop waits — the interval, doubled per failure in a row, at most
 * `maxBackoffMs` — and carries on. Any other error ends the loop as before; a single pass (no
 * `--loop`) fails at once, so a scheduler sees the failure.
 */
export async function runPasses(options: PassOptions, pass: (n: number) => Promise<void>): Promise<void> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const transient = options.transient ?? isTransientDatabaseError;
  const maxBackoffMs = options.maxBackoffMs ?? 5 * 60_000;
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
        if (!options.loop || !transient(error)) throw error;
        failures++;
        const waitMs = Math.min(Math.max(options.intervalMs, 1000) * 2 ** (failures - 1), maxBackoffMs);
        log(
          `the database is unavailable (${errorMessage(error).split("\n")[0]}); pass ${n} did not run, trying again in ${Math.round(waitMs / 1000)} s`,
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
