import { startPollLoop } from "../poll-loop.js";
import { type MirrorDeps, mirrorPass } from "./worker.js";

/** Runs mirror passes every `pollMs` (at once again while there is work); `stop()` waits for the running pass. */
export function startMirrorLoop(deps: MirrorDeps, pollMs: number) {
  return startPollLoop(
    "mirror",
    async () => {
      const pass = await mirrorPass(deps);
      return { busy: pass.batches > 0 && pass.failed === 0 };
    },
    pollMs,
    deps.log,
  );
}
