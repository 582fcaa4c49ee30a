import { ticketBranch } from "../../domain/ticket-key.js";
import { type EvidenceCriterion, make, type UnavailableReason, unknownFact } from "../criterion.js";
import type { GitHubFacts, SubjectFacts } from "../facts.js";
import type { Criterion } from "../types.js";

export type NewWorkReason =
  | "new_commits"
  | "no_new_commits"
  | "not_on_base"
  | "wrong_branch"
  | "base_not_found"
  | "ancestry_not_read"
  | UnavailableReason;

/**
 * Completion needs new work (DESIGN.md, "Trust boundaries"): the claimed commit must be on the
 * ticket's own branch, differ from the commit the attempt started from, and descend from it
 * (`compare/{base}...{sha}` is `ahead`). The base is the default branch's head when the ticket's
 * first attempt began (or the ticket branch's head, for a later attempt that continues it), so a
 * commit that is `ahead` of it was not reachable from the default branch then. Pushing the unchanged
 * base commit, an older commit, or another branch's commit fails; GitHub not answering is pending.
 */
export function newWorkCriterion(subject: SubjectFacts, facts: GitHubFacts): Criterion | null {
  const base = { id: "new_work", title: "new commits on the ticket's branch" } as const;
  if (!subject.evidence.ok) return null; // the evidence criterion already fails
  const { sha, baseSha, branch } = subject.evidence.evidence;
  const expected = ticketBranch(subject.ticket.key);
  if (branch !== expected)
    return make({
      ...base,
      status: "fail",
      reason: "wrong_branch",
      message: `the work was claimed on ${branch}, not on the ticket's branch ${expected}`,
    });
  if (sha === baseSha)
    return make({
      ...base,
      status: "fail",
      reason: "no_new_commits",
      message: `${sha.slice(0, 7)} is the commit the attempt started from: nothing new was committed`,
    });
  const ancestry = facts.ancestry;
  if (ancestry === null)
    return make({
      ...base,
      status: "pending",
      reason: "ancestry_not_read",
      message: "how the commit relates to the attempt's base was not read",
    });
  if (!ancestry.ok) {
    const row = unknownFact(base.id, base.title, ancestry, "commit");
    return row.status === "fail"
      ? make({
          ...base,
          status: "fail",
          reason: "base_not_found",
          message: `GitHub does not know the base ${baseSha.slice(0, 7)} or the commit: ${ancestry.message}`,
        })
      : row;
  }
  const { status, aheadBy, url } = ancestry.value;
  if (status === "ahead")
    return make({
      ...base,
      status: "pass",
      reason: "new_commits",
      message: `${aheadBy} new commit(s) on top of ${baseSha.slice(0, 7)}`,
      url,
    });
  if (status === "identical")
    return make({
      ...base,
      status: "fail",
      reason: "no_new_commits",
      message: `${sha.slice(0, 7)} is the commit the attempt started from: nothing new was committed`,
      url,
    });
  return make({
    ...base,
    status: "fail",
    reason: "not_on_base",
    message:
      status === "behind"
        ? `${sha.slice(0, 7)} is an older commit than the base ${baseSha.slice(0, 7)}: no new work`
        : `${sha.slice(0, 7)} does not descend from the base ${baseSha.slice(0, 7)} (${status})`,
    url,
  });
}

export const criterion: EvidenceCriterion = {
  name: "new-work",
  triggers: [],
  notRetriggered: "how two commits relate never changes; the commit's own push re-evaluates through `commit`",
  judgedWhen: "commit_found",
  evaluate: (facts) => {
    const row = newWorkCriterion(facts.subject, facts.github);
    return row ? [row] : [];
  },
};
