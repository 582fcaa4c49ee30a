export interface UntilOptions {
  /** What is awaited, for the progress line ("every ticket to be claimed"). */
  readonly what: string;
  /** Pause between looks; each look may open a database or read a file. */
  readonly everyMs?: number;
}

/** How often a long wait says it is still waiting. */
const REPORT_EVERY_MS = 30_000;

/**
 * Polls `condition` until it holds. There is no deadline of its own: under load a process may take
 * any time to get there, and a deadline here would let the machine's speed decide the test. What
 * stops a wait that will never end is vitest's test timeout (raised by the files that spawn
 * processes); until then a long wait logs what it is still waiting for, so the timeout says why.
 */
export async function until(
  condition: () => boolean | Promise<boolean>,
  { what, everyMs = 50 }: UntilOptions,
): Promise<void> {
  const started = Date.now();
  let reported = started;
  while (!(await condition())) {
    const now = Date.now();
    if (now - reported >= REPORT_EVERY_MS) {
      reported = now;
      console.warn(`[until] still waiting for ${what} after ${Math.round((now - started) / 1000)} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
