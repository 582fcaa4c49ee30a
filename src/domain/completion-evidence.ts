/**
 * Completion evidence: what a worker proves when it claims an attempt is complete. The worker
 * collects it from git and the test command (never from the agent's words) and the lifecycle stores
 * it in the attempt's outcome; the evidence verifier parses it with the same schema before checking
 * it against GitHub. Both sides read this one definition, so it lives here (it imports only zod).
 */
import { z } from "zod";

/** A full commit id (SHA-1, or SHA-256 for repositories that use it). */
export const CommitShaSchema = z
  .string()
  .regex(/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/, "must be a full lowercase hexadecimal commit SHA");

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

export type ParsedCompletionEvidence =
  | { readonly ok: true; readonly evidence: CompletionEvidence }
  | { readonly ok: false; readonly code: "invalid_evidence"; readonly message: string };

/** Parses stored evidence (e.g. an attempt's `outcome.evidence`), naming what is wrong and where. */
export function parseCompletionEvidence(value: unknown): ParsedCompletionEvidence {
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
