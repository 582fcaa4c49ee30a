import type { CompletionEvidence } from "../domain/completion-evidence.js";
import type { GitFacts, TestRun } from "./evidence.js";

/**
 * Why a worker ended its attempt as `failed` (the attempt outcome's `reason`). Completion is only
 * ever decided from git and the test command; nothing the agent prints counts.
 */
export const WORKER_FAILURE_REASONS = [
  "dirty_worktree",
  "wrong_branch",
  "not_pushed",
  "tests_failed",
  "agent_crashed",
  "agent_not_started",
  "agent_gave_up",
  "worktree_failed",
  "wrong_worktree",
  "evidence_unavailable",
  "interrupted",
] as const;
export type WorkerFailureReason = (typeof WORKER_FAILURE_REASONS)[number];

export interface CompletionFacts {
  readonly attemptId: string;
  readonly ticket: string;
  readonly expectedBranch: string;
  readonly git: GitFacts;
  readonly tests: TestRun;
  readonly agent: { readonly exitCode: 0; readonly durationMs: number };
  readonly collectedAt: Date;
}

export type Verdict =
  | { readonly kind: "complete"; readonly evidence: CompletionEvidence }
  | {
      readonly kind: "failed";
      readonly reason: WorkerFailureReason;
      readonly message: string;
      readonly facts: { readonly git: GitFacts; readonly tests: TestRun };
    };

/**
 * Git checks that must pass before the test command is worth running, in the order they are
 * reported: a dirty tree first (uncommitted work is the most common way to lose it).
 */
export function judgeGit(
  git: GitFacts,
  expectedBranch: string,
): { reason: WorkerFailureReason; message: string } | null {
  if (!git.clean) {
    const paths = git.dirtyPaths.slice(0, 5).join(", ");
    return { reason: "dirty_worktree", message: `the working tree has uncommitted changes (${paths})` };
  }
  if (git.branch !== expectedBranch) {
    return {
      reason: "wrong_branch",
      message: `HEAD is ${git.branch ? `on ${git.branch}` : "detached"}, not on ${expectedBranch}`,
    };
  }
  if (git.remoteSha !== git.headSha) {
    const where = `${git.remote.name}/${expectedBranch}`;
    return {
      reason: "not_pushed",
      message: git.remoteSha
        ? `HEAD ${git.headSha.slice(0, 12)} is not pushed: ${where} is at ${git.remoteSha.slice(0, 12)}`
        : `HEAD ${git.headSha.slice(0, 12)} is not pushed: ${where} does not exist`,
    };
  }
  return null;
}

/** Decides, without I/O, whether the facts make a completion or a failed attempt. */
export function judgeCompletion(facts: CompletionFacts): Verdict {
  const { git, tests } = facts;
  const gitFailure = judgeGit(git, facts.expectedBranch);
  if (gitFailure) return { kind: "failed", ...gitFailure, facts: { git, tests } };
  if (tests.status !== "not_configured" && tests.status !== "passed") {
    const how = tests.status === "timed_out" ? "timed out" : `exited with ${tests.exitCode ?? "a signal"}`;
    return {
      kind: "failed",
      reason: "tests_failed",
      message: `the test command ${how}`,
      facts: { git, tests },
    };
  }
  if (git.remoteSha === null || git.branch === null) throw new Error("unreachable: git checks passed");
  return {
    kind: "complete",
    evidence: {
      version: 1,
      attemptId: facts.attemptId,
      ticket: facts.ticket,
      commitSha: git.headSha,
      branch: git.branch,
      baseSha: git.baseSha,
      workingTreeClean: true,
      pushed: true,
      remote: { name: git.remote.name, url: git.remote.url, sha: git.remoteSha },
      tests:
        tests.status === "passed"
          ? {
              status: "passed",
              command: tests.command,
              exitCode: 0,
              summary: tests.summary,
              durationMs: tests.durationMs,
            }
          : { status: "not_configured" },
      agent: facts.agent,
      collectedAt: facts.collectedAt.toISOString(),
    },
  };
}
