/** The demo's dispatcher loop, configured from the demo's configuration (the orchestrator runs in the app). */
import type { Logger } from "pino";
import type { Config } from "../config/schema.js";
import { type DispatchDeps, dispatchSettingsFrom, runDispatchCycle } from "../dispatch/cycle.js";
import type { Launcher } from "../dispatch/launchers/launcher.js";
import { lifecycleWorkerSource } from "../dispatch/worker-sources.js";
import type { Lifecycle } from "../lifecycle/index.js";
import { startLoop } from "../store/index.js";

/**
 * Dispatch cycles on their interval (`mctl dispatch --loop` in one process); `stop()` waits for the
 * cycle in progress. The orchestrator is the app's own periodic task (src/demo/app-server.ts).
 */
export function startDemoLoops(input: {
  lifecycle: Lifecycle;
  config: Config;
  launcher: Launcher;
  log: Logger;
  dispatchMs: number;
}) {
  const { lifecycle, config } = input;
  const warn = (message: string, detail?: Record<string, unknown>) => input.log.warn(detail ?? {}, message);
  const deps = dispatcher(lifecycle, config, input.launcher);
  const dispatch = startLoop(
    "dispatch",
    async () => {
      await runDispatchCycle(deps);
      return { busy: false };
    },
    input.dispatchMs,
    warn,
  );
  return {
    async stop() {
      await dispatch.stop();
    },
  };
}

/** The dispatcher's dependencies, as `mctl dispatch` builds them, with the demo's launcher. */
function dispatcher(lifecycle: Lifecycle, config: Config, launcher: Launcher): DispatchDeps {
  return {
    lifecycle,
    sources: [lifecycleWorkerSource(lifecycle)],
    launcherFor: () => launcher,
    holder: "demo-dispatcher",
    settings: dispatchSettingsFrom(config.dispatch, config.repositories),
  };
}
