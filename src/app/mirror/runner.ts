import { type MirrorDeps, mirrorPass } from "./worker.js";

/**
 * Runs mirror passes every `pollMs` (at once again while there is work), one pass at a time.
 * `stop()` waits for the running pass to end.
 */
export function startMirrorLoop(deps: MirrorDeps, pollMs: number) {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = mirrorPass(deps)
      .then(
        (pass) => pass.batches > 0 && pass.failed === 0,
        (error: unknown) => {
          deps.log?.("mirror pass failed", { error: String(error) });
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
