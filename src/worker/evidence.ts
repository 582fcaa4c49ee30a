/**
 * What the worker collects before it judges a run: the test command's result and git's facts about
 * the worktree. The completion evidence built from them (`CompletionEvidenceSchema`) is shared with
 * the evidence verifier and lives in src/domain/completion-evidence.ts.
 */
import { z } from "zod";
import { CommitShaSchema } from "../domain/completion-evidence.js";

/** The tail of a command's output, kept short enough to show in a check run. */
export const OUTPUT_SUMMARY_MAX_CHARS = 2000;

export const TestRunSchema = z.discriminatedUnion("status", [
  /** No `worker.test_command` is configured: nothing was run. */
  z.strictObject({ status: z.literal("not_configured") }),
  z.strictObject({
    status: z.enum(["passed", "failed", "timed_out"]),
    command: z.array(z.string()).min(1),
    /** Null when the command was killed by a signal or could not be started. */
    exitCode: z.number().int().nullable(),
    /** The last lines of its output (stdout and stderr). */
    summary: z.string().max(OUTPUT_SUMMARY_MAX_CHARS + 100),
    durationMs: z.number().int().min(0),
  }),
]);
export type TestRun = z.infer<typeof TestRunSchema>;

/** What git says about the worktree once the agent has exited (pass or fail). */
export const GitFactsSchema = z.strictObject({
  headSha: CommitShaSchema,
  /** The checked-out branch; null for a detached HEAD. */
  branch: z.string().min(1).nullable(),
  /** The commit the attempt started from (the branch head when the worktree was prepared). */
  baseSha: CommitShaSchema,
  clean: z.boolean(),
  /** Uncommitted or untracked paths (the first few), when the tree is not clean. */
  dirtyPaths: z.array(z.string()).max(50),
  remote: z.strictObject({ name: z.string().min(1), url: z.string() }),
  /** What `git ls-remote` reports for the ticket branch on the remote; null if it does not exist. */
  remoteSha: CommitShaSchema.nullable(),
});
export type GitFacts = z.infer<typeof GitFactsSchema>;
