import type { WorkerConfig } from "../config/schema.js";
import type { RunnerSettings } from "./run-types.js";

/** The `worker:` configuration as the runner's settings (seconds → milliseconds). */
export function runnerSettingsFrom(w: WorkerConfig): RunnerSettings {
  return {
    worktreeRoot: w.worktree_root,
    remote: w.remote,
    heartbeatMs: w.heartbeat_seconds * 1000,
    graceMs: w.stop_grace_seconds * 1000,
    testCommand: w.test_command,
    testTimeoutMs: w.test_timeout_seconds * 1000,
    logMaxBytes: w.log_max_bytes,
    agentEnv: w.agent_env,
  };
}
