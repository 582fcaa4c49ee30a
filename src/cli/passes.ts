export interface PassOptions {
  /** Run passes until stopped (`--loop`); otherwise exactly one. */
  readonly loop: boolean;
  /** Pause between passes. */
  readonly intervalMs: number;
  /** With `loop`: stop after this many passes. */
  readonly maxPasses?: number | undefined;
}

/**
 * Runs `pass` once, or with `loop` every `intervalMs` until SIGINT or SIGTERM (or `maxPasses`). A
 * signal never interrupts a running pass: it ends the pause at once, or stops the loop after the
 * pass in progress, and the command exits normally (what a scheduler's stop or Ctrl-C expects).
 */
export async function runPasses(options: PassOptions, pass: (n: number) => Promise<void>): Promise<void> {
  let stopping = false;
  let wake: () => void = () => {};
  const stop = () => {
    stopping = true;
    wake();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    for (let n = 1; ; n++) {
      await pass(n);
      if (!options.loop || stopping || (options.maxPasses && n >= options.maxPasses)) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (stopping) return;
    }
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}
