/**
 * Runs `pass` every `pollMs`, and at once again while it reports more work, one pass at a time.
 * A failing pass is logged and retried after `pollMs`. `stop()` waits for the running pass to end.
 */
export function startPollLoop(
  name: string,
  pass: () => Promise<{ busy: boolean }>,
  pollMs: number,
  log?: (message: string, detail: Record<string, unknown>) => void,
) {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = pass()
      .then(
        (result) => result.busy,
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
