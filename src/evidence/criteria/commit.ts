import { type EvidenceCriterion, make, type UnavailableReason, unknownFact } from "../criterion.js";
import type { GitHubFacts, SubjectFacts } from "../facts.js";
import type { Criterion } from "../types.js";

export type CommitReason =
  | "commit_not_visible_yet"
  | "commit_not_found"
  | "commit_mismatch"
  | "commit_found"
  | UnavailableReason;

/**
 * When a commit GitHub does not find stops being "not visible yet": `graceMs` after the completion.
 * Null when the attempt has not ended (no completion to measure from).
 */
export function commitGraceEnd(subject: SubjectFacts, graceMs: number): Date | null {
  const ended = subject.attempt.endedAt;
  return ended === null ? null : new Date(ended.getTime() + graceMs);
}

/**
 * The commit must exist on GitHub. The worker claims completion only after `git ls-remote` showed
 * it on the remote, but GitHub's API can lag a push: a commit not found (404/422) is pending
 * (`commit_not_visible_yet`) until `graceMs` after the completion, and fails (`commit_not_found`)
 * from then on. The deadline is in the message, so re-checks within the grace keep one outcome.
 */
export function commitCriterion(facts: GitHubFacts, subject: SubjectFacts, graceMs: number): Criterion {
  const base = { id: "commit", title: "commit exists" } as const;
  if (!facts.commit.ok && facts.commit.reason === "not_found") {
    const sha = facts.sha.slice(0, 7);
    const graceEnd = commitGraceEnd(subject, graceMs);
    const grace = `${Math.round(graceMs / 1000)} s`;
    if (graceEnd === null) return unknownFact(base.id, base.title, facts.commit, "commit");
    if (subject.now.getTime() < graceEnd.getTime())
      return make({
        ...base,
        status: "pending",
        reason: "commit_not_visible_yet",
        message: `GitHub does not show ${sha} yet (${facts.commit.message}); waiting up to ${grace} after the completion, until ${graceEnd.toISOString()}, then it fails`,
      });
    return make({
      ...base,
      status: "fail",
      reason: "commit_not_found",
      message: `${facts.commit.message}: ${sha} still not found ${grace} after the completion`,
    });
  }
  if (!facts.commit.ok) return unknownFact(base.id, base.title, facts.commit, "commit");
  if (facts.commit.value.sha !== facts.sha)
    return make({
      ...base,
      status: "fail",
      reason: "commit_mismatch",
      message: `GitHub resolved ${facts.sha} to another commit`,
    });
  return make({
    ...base,
    status: "pass",
    reason: "commit_found",
    message: `${facts.sha.slice(0, 7)} exists`,
    url: facts.commit.value.url,
  });
}

export const criterion: EvidenceCriterion = {
  name: "commit",
  // A push of the commit makes it visible; the end of the grace is a scheduled re-check, not a webhook.
  triggers: ["push"],
  judgedWhen: "commit_asked",
  evaluate: (facts) => [commitCriterion(facts.github, facts.subject, facts.missingCommitGraceMs)],
};
