import type { BackoffPolicy } from "../domain/backoff.js";
import type { CompletionEvidence } from "../domain/completion-evidence.js";
import type { AttemptResult, EndAttemptResult } from "../lifecycle/index.js";
import type { WorkerFailureReason } from "./judge.js";
import type { RunAs } from "./process-group.js";
import type { SandboxUser } from "./sandbox.js";
import type { WorkerStore } from "./store.js";

export interface RunnerSettings {
  readonly worktreeRoot: string;
  readonly remote: string;
  readonly heartbeatMs: number;
  readonly graceMs: number;
  readonly testCommand: readonly string[] | undefined;
  readonly testTimeoutMs: number;
  readonly logMaxBytes: number;
  /** `worker.agent_env`: the allow-list of a sandboxed agent's environment (undefined: the default). */
  readonly agentEnv: readonly string[] | undefined;
}

export interface RunnerOptions {
  readonly attemptId: string;
  readonly launchKey?: string | undefined;
  /** When given, the attempt must belong to this ticket (a cross-check of the workflow's inputs). */
  readonly ticket?: string | undefined;
  /** The repository the worktree is made from. */
  readonly repo: string;
  /** The agent command, before its placeholders are filled in. */
  readonly agentCommand: readonly string[];
  readonly settings: RunnerSettings;
  /** The environment the agent inherits (without DATABASE_URL: the agent signals through the runner). */
  readonly baseEnv: NodeJS.ProcessEnv;
  readonly store: WorkerStore;
  readonly output: {
    agentStdout(text: string): void;
    agentStderr(text: string): void;
    info(line: string): void;
  };
  /**
   * The sandbox (`worker.sandbox`), resolved: the agent and the test command run as `user`, and
   * `owner` (the runner's own uid and gid) gets the worktree back. Absent: the agent is trusted.
   */
  readonly sandbox?: { readonly user: SandboxUser; readonly owner: RunAs } | undefined;
  /** Aborted when the runner itself is told to stop (SIGINT/SIGTERM). */
  readonly interrupt: AbortSignal;
  /**
   * How the runner waits out a database outage while it reports the attempt's end (default: 1 s
   * doubled per failure, at most 15 s, jittered, until the lease runs out).
   */
  readonly outageRetry?: { readonly backoff: BackoffPolicy; readonly sleep?: (ms: number) => Promise<void> };
}

/** Where the agent's bounded log ended up. */
export type LogPlacement =
  | { readonly stored: "attempt" }
  | { readonly stored: "file"; readonly path: string; readonly why: string }
  | { readonly stored: "nowhere"; readonly why: string };

interface Ended {
  readonly attemptId: string;
  readonly ticket: string;
  log?: LogPlacement;
}

/**
 * Why the runner did not take its attempt: none such, another ticket's (`wrong_ticket`), or the
 * lifecycle refused the start (`fenced`: a duplicate or stale launch found it running or ended).
 */
export type NotStartedCode = "wrong_ticket" | Exclude<AttemptResult, { ok: true }>["code"];

/** Why the lifecycle refused the runner's own report of how the attempt ended. */
export type RefusedCode = Exclude<EndAttemptResult, { ok: true }>["code"];

/** How a run ended. `refused` means the lifecycle fenced the runner's own report (e.g. the lease had expired). */
export type RunReport =
  | { readonly result: "not_started"; readonly code: NotStartedCode; readonly message: string }
  | (Ended & { readonly result: "completed"; readonly evidence: CompletionEvidence })
  | (Ended & { readonly result: "needs_input"; readonly question: string })
  | (Ended & {
      readonly result: "failed";
      readonly reason: WorkerFailureReason;
      readonly message: string;
      readonly detail: Record<string, unknown>;
    })
  | (Ended & { readonly result: "lost"; readonly message: string })
  /**
   * The agent finished (`outcome`), but the database stayed unreachable until the attempt's lease
   * ran out: nothing was recorded; the dispatcher will expire the attempt as lost and retry the ticket.
   */
  | (Ended & {
      readonly result: "unreported";
      readonly outcome: "completed" | "failed" | "needs_input";
      readonly message: string;
    })
  | (Ended & { readonly result: "refused"; readonly code: RefusedCode; readonly message: string });
