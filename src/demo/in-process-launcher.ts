/**
 * A launcher that runs the worker runner (src/worker/runner.ts) inside the demo's own process.
 * The embedded database serves one process, so the runner shares the demo's lifecycle; the agent
 * it starts is still a real child process in the ticket's worktree.
 */
import type { LaunchRequest, LaunchResult, Launcher } from "../dispatch/launchers/launcher.js";
import type { Lifecycle } from "../lifecycle/index.js";
import { type RunnerSettings, type RunReport, runWorker } from "../worker/runner.js";
import type { SignalPolicy } from "../worker/signals.js";
import { createWorkerStore } from "../worker/store.js";

export interface InProcessLauncherOptions {
  readonly lifecycle: Lifecycle;
  /** The repository the worktrees are made from (the demo's local clone). */
  readonly repo: string;
  readonly agentCommand: readonly string[];
  readonly settings: RunnerSettings;
  readonly policy: SignalPolicy;
  /** The agent's environment (the runner removes DATABASE_URL and adds the MCTL_* variables). */
  readonly baseEnv: NodeJS.ProcessEnv;
  /** Where each attempt's runner lines and agent output go. */
  readonly output: (launchKey: string) => RunnerOutput;
  /** Called with each runner's report (e.g. to verify a completion at once). */
  readonly onReport?: (request: LaunchRequest, report: RunReport) => Promise<void>;
  readonly onError?: (request: LaunchRequest, error: unknown) => void;
}

export interface RunnerOutput {
  agentStdout(text: string): void;
  agentStderr(text: string): void;
  info(line: string): void;
  close(): Promise<void>;
}

export interface InProcessLauncher extends Launcher {
  /** Runners still going. */
  running(): number;
  /** Tells every runner to stop (its agent's process group is stopped) and waits for them. */
  stop(): Promise<void>;
}

export function inProcessLauncher(options: InProcessLauncherOptions): InProcessLauncher {
  const store = createWorkerStore((work) => work(options.lifecycle), options.policy);
  const launched = new Set<string>();
  const runs = new Set<Promise<void>>();
  const interrupt = new AbortController();
  return {
    kind: "in-process",
    async launch(request: LaunchRequest): Promise<LaunchResult> {
      if (interrupt.signal.aborted) return { ok: false, error: "the demo is stopping" };
      // Idempotent by launch key, like the command launcher's marker file.
      if (launched.has(request.launchKey))
        return { ok: true, duplicate: true, detail: `already launched (${request.launchKey})` };
      launched.add(request.launchKey);
      const output = options.output(request.launchKey);
      const run = runWorker({
        attemptId: request.attempt,
        launchKey: request.launchKey,
        ticket: request.ticket,
        repo: options.repo,
        agentCommand: options.agentCommand,
        settings: options.settings,
        baseEnv: options.baseEnv,
        store,
        output,
        interrupt: interrupt.signal,
      })
        .then((report) => options.onReport?.(request, report))
        .catch((error: unknown) => options.onError?.(request, error))
        .finally(() => output.close());
      const tracked = run.then(() => {
        runs.delete(tracked);
      });
      runs.add(tracked);
      return { ok: true, duplicate: false, detail: "worker runner started in the demo process" };
    },
    running: () => runs.size,
    async stop() {
      interrupt.abort();
      await Promise.all([...runs]);
    },
  };
}
