import type { DispatchDeps, DispatchSettings } from "../../src/dispatch/cycle.js";
import type { Launcher, LaunchRequest, LaunchResult } from "../../src/dispatch/launchers/launcher.js";
import type { WorkerCountSource } from "../../src/dispatch/worker-count.js";
import { lifecycleWorkerSource } from "../../src/dispatch/worker-sources.js";
import type { Lifecycle } from "../../src/lifecycle/index.js";

export const testSettings: DispatchSettings = {
  maxWorkers: 10,
  attemptLeaseMs: 60_000,
  dispatchLeaseMs: 30_000,
  backoff: { baseMs: 10_000, capMs: 60_000 },
  maxAttempts: 3,
  batchSize: 50,
  scanLimit: 1000,
  policy: { agentIdentities: ["agent"], excludedCampaigns: ["legal"], excludedLabels: ["no-agent"] },
  workerIdentity: "agent",
};

/** A launcher that records what it was asked to start, and can be told to fail. */
export function recordingLauncher(
  answer: (request: LaunchRequest) => LaunchResult = () => ({
    ok: true,
    duplicate: false,
    detail: "recorded",
  }),
) {
  const launched: LaunchRequest[] = [];
  const launcher: Launcher = {
    kind: "recording",
    async launch(request) {
      launched.push(request);
      return answer(request);
    },
  };
  return { launcher, launched };
}

export const failingSource = (name: string, message: string): WorkerCountSource => ({
  name,
  count: () => Promise.reject(new Error(message)),
});

export function testDispatcher(
  lifecycle: Lifecycle,
  overrides: Partial<Omit<DispatchDeps, "settings">> & { settings?: Partial<DispatchSettings> } = {},
): DispatchDeps & { launched: LaunchRequest[] } {
  const recording = recordingLauncher();
  return {
    lifecycle,
    holder: "dispatcher-test",
    sources: [lifecycleWorkerSource(lifecycle)],
    launcherFor: () => recording.launcher,
    launched: recording.launched,
    ...overrides,
    settings: { ...testSettings, ...overrides.settings },
  };
}
