import type { CompletionEvidence } from "../domain/completion-evidence.js";
import { errorMessage, firstLine } from "../domain/error-message.js";
import type { TestRun } from "./evidence.js";
import { gitAt, remoteBranchSha } from "./git.js";
import { collectGitFacts } from "./git-facts.js";
import { judgeCompletion, judgeGit, type WorkerFailureReason } from "./judge.js";
import type { RunAs } from "./process-group.js";
import { runTestCommand } from "./test-command.js";
import type { TicketWorktree } from "./worktree.js";

export type CollectedEvidence =
  | { readonly kind: "complete"; readonly evidence: CompletionEvidence }
  | {
      readonly kind: "failed";
      readonly reason: WorkerFailureReason;
      readonly message: string;
      readonly detail: Record<string, unknown>;
    }
  /** Stopped by `signal` (lease lost, or the runner interrupted) while the tests ran. */
  | { readonly kind: "aborted" };

/**
 * Step 5 of the runner, after the agent exited 0: reads git, runs the test command only if the git
 * checks pass (tests of work that cannot be a completion would prove nothing), and judges.
 */
export async function collectEvidence(input: {
  attemptId: string;
  ticket: string;
  worktree: TicketWorktree;
  remote: string;
  /** With its placeholders filled in; undefined when none is configured. */
  testCommand: readonly string[] | undefined;
  testEnv: NodeJS.ProcessEnv;
  testRunAs?: RunAs | undefined;
  /** Runs before the test command (the sandbox hands the worktree to its user again). */
  beforeTests?: (() => Promise<void>) | undefined;
  testTimeoutMs: number;
  graceMs: number;
  agentDurationMs: number;
  signal: AbortSignal;
  output: { agentStderr(text: string): void; info(line: string): void };
}): Promise<CollectedEvidence> {
  const { worktree } = input;
  let git: Awaited<ReturnType<typeof collectGitFacts>>;
  try {
    git = await collectGitFacts({
      worktree: worktree.path,
      branch: worktree.branch,
      baseSha: worktree.baseSha,
      remote: input.remote,
    });
  } catch (error) {
    const why = firstLine(errorMessage(error));
    return {
      kind: "failed",
      reason: "evidence_unavailable",
      message: `cannot read the worktree: ${why}`,
      detail: {},
    };
  }
  // The runner pushes the ticket branch, with its own credentials: an agent needs none (a
  // sandboxed one has none). Only that branch, only a clean HEAD on it, never by force.
  if (git.clean && git.branch === worktree.branch && git.remoteSha !== git.headSha) {
    const pushed = await pushTicketBranch(worktree.path, input.remote, worktree.branch);
    if (!pushed.ok) input.output.info(`cannot push ${worktree.branch}: ${pushed.message}`);
    else {
      input.output.info(`pushed ${git.headSha.slice(0, 12)} to ${input.remote}/${worktree.branch}`);
      git = { ...git, remoteSha: await remoteBranchSha(gitAt(worktree.path), input.remote, worktree.branch) };
    }
  }
  const gitFailure = judgeGit(git, worktree.branch);
  if (gitFailure) return { kind: "failed", ...gitFailure, detail: { git } };

  let tests: TestRun = { status: "not_configured" };
  if (input.testCommand) {
    input.output.info(`running the test command: ${input.testCommand.join(" ")}`);
    await input.beforeTests?.();
    tests = await runTestCommand({
      command: input.testCommand,
      cwd: worktree.path,
      env: input.testEnv,
      runAs: input.testRunAs,
      timeoutMs: input.testTimeoutMs,
      graceMs: input.graceMs,
      signal: input.signal,
      onOutput: (chunk) => input.output.agentStderr(chunk.toString("utf8")),
    });
    if (input.signal.aborted) return { kind: "aborted" };
  }
  const verdict = judgeCompletion({
    attemptId: input.attemptId,
    ticket: input.ticket,
    expectedBranch: worktree.branch,
    git,
    tests,
    agent: { exitCode: 0, durationMs: input.agentDurationMs },
    collectedAt: new Date(),
  });
  if (verdict.kind === "failed") {
    return { kind: "failed", reason: verdict.reason, message: verdict.message, detail: { ...verdict.facts } };
  }
  return verdict;
}

/** `git push <remote> HEAD:refs/heads/<branch>` (fast-forward only), as the runner's user. */
async function pushTicketBranch(
  worktree: string,
  remote: string,
  branch: string,
): Promise<{ ok: true } | { ok: false; message: string }> {
  try {
    await gitAt(worktree).raw(["push", "--quiet", remote, `HEAD:refs/heads/${branch}`]);
    return { ok: true };
  } catch (error) {
    return { ok: false, message: firstLine(errorMessage(error)) };
  }
}
