import { parseCompletionEvidence } from "../domain/completion-evidence.js";

/**
 * The facts the verifier consumes from a completed attempt's `outcome.evidence`, which the worker
 * runner writes and validates with `CompletionEvidenceSchema` (src/domain/completion-evidence.ts). That schema
 * cannot express a dirty tree or an unpushed HEAD, so those arrive here as "invalid evidence".
 */
export interface AttemptEvidence {
  readonly attemptId: string;
  readonly sha: string;
  readonly branch: string;
  /** The commit the attempt started from (the runner's HEAD at start; in Actions, GitHub's signed `sha` of the run). */
  readonly baseSha: string;
  readonly tests:
    | { readonly status: "not_configured" }
    | { readonly status: "passed"; readonly exitCode: number; readonly summary: string };
}

export type ParsedEvidence =
  | { readonly ok: true; readonly evidence: AttemptEvidence }
  | { readonly ok: false; readonly message: string };

/** Reads `outcome.evidence` of an attempt; a missing or malformed one says what is wrong. */
export function parseAttemptEvidence(outcome: Record<string, unknown> | null): ParsedEvidence {
  const raw = outcome?.evidence;
  if (raw === undefined || raw === null) return { ok: false, message: "the attempt recorded no evidence" };
  const parsed = parseCompletionEvidence(raw);
  if (!parsed.ok) return { ok: false, message: parsed.message };
  const { attemptId, commitSha, branch, baseSha, tests } = parsed.evidence;
  return {
    ok: true,
    evidence: {
      attemptId,
      sha: commitSha,
      branch,
      baseSha,
      tests:
        tests.status === "passed"
          ? { status: "passed", exitCode: tests.exitCode, summary: tests.summary }
          : { status: "not_configured" },
    },
  };
}
