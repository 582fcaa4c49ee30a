/** The demo's dispatcher and orchestrator loops, configured from the demo's configuration. */
import type { Logger } from "pino";
import type { Config } from "../config/schema.js";
import { type DispatchDeps, dispatchSettingsFrom, runDispatchCycle } from "../dispatch/cycle.js";
import type { Launcher } from "../dispatch/launchers/launcher.js";
import { lifecycleWorkerSource } from "../dispatch/worker-sources.js";
import type { Lifecycle } from "../lifecycle/index.js";
import { runOrchestratorPass } from "../orchestrator/pass.js";
import { startLoop } from "../store/index.js";

/** Dispatch cycles and orchestrator passes, each on its own interval; `stop()` waits for both. */
export function startDemoLoops(input: {
  lifecycle: Lifecycle;
  config: Config;
  launcher: Launcher;
  log: Logger;
  dispatchMs: number;
  orchestrateMs: number;
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
  const orchestrate = startLoop(
    "orchestrate",
    async () => {
      const pass = await runOrchestratorPass({
        inbox: lifecycle.inbox,
        setting: () => lifecycle.tasks.setting("orchestrate"),
        rules: {
          reviewRequired: config.orchestrator.review_required,
          retryFailedCompletions: config.orchestrator.retry_failed_completions,
        },
        holder: "demo-orchestrator",
        leaseMs: config.orchestrator.delivery_lease_seconds * 1000,
        batchSize: config.orchestrator.batch_size,
      });
      return { busy: pass.status === "completed" && pass.delivered > 0 };
    },
    input.orchestrateMs,
    warn,
  );
  return {
    async stop() {
      await dispatch.stop();
      await orchestrate.stop();
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
