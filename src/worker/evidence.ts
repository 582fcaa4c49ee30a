/**
 * Completion evidence: what a worker proves when it claims an attempt is complete. Collected from
 * git and the test command, never from the agent's words. The evidence verifier parses it with
 * `CompletionEvidenceSchema` before checking it against GitHub.
 */
import { z } from "zod";

/** A full commit id (SHA-1, or SHA-256 for repositories that use it). */
export const CommitShaSchema = z
  .string()
  .regex(/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/, "must be a full lowercase hexadecimal commit SHA");

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

/**
 * The evidence of a completion claim. Every field that a completion requires is a literal: a dirty
 * tree, an unpushed HEAD or a failed test run cannot be expressed as completion evidence at all.
 */
export const CompletionEvidenceSchema = z
  .strictObject({
    version: z.literal(1),
    attemptId: z.uuid(),
    ticket: z.string().min(1),
    commitSha: CommitShaSchema,
    branch: z.string().min(1),
    baseSha: CommitShaSchema,
    workingTreeClean: z.literal(true),
    pushed: z.literal(true),
    remote: z.strictObject({ name: z.string().min(1), url: z.string(), sha: CommitShaSchema }),
    tests: z.discriminatedUnion("status", [
      z.strictObject({ status: z.literal("not_configured") }),
      z.strictObject({
        status: z.literal("passed"),
        command: z.array(z.string()).min(1),
        exitCode: z.literal(0),
        summary: z.string(),
        durationMs: z.number().int().min(0),
      }),
    ]),
    agent: z.strictObject({ exitCode: z.literal(0), durationMs: z.number().int().min(0) }),
    collectedAt: z.iso.datetime(),
  })
  .refine((evidence) => evidence.remote.sha === evidence.commitSha, {
    message: "the remote branch must point at the evidence commit (HEAD was not pushed)",
    path: ["remote", "sha"],
  });
export type CompletionEvidence = z.infer<typeof CompletionEvidenceSchema>;

export type ParsedEvidence =
  | { readonly ok: true; readonly evidence: CompletionEvidence }
  | { readonly ok: false; readonly code: "invalid_evidence"; readonly message: string };

/** Parses stored evidence (e.g. an attempt's `outcome.evidence`), naming what is wrong and where. */
export function parseCompletionEvidence(value: unknown): ParsedEvidence {
  const parsed = CompletionEvidenceSchema.safeParse(value);
  if (parsed.success) return { ok: true, evidence: parsed.data };
  const issues = parsed.error.issues.map((issue) =>
    issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message,
  );
  return {
    ok: false,
    code: "invalid_evidence",
    message: `invalid completion evidence: ${issues.join("; ")}`,
  };
}
