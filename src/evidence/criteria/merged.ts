import { type EvidenceCriterion, make, type UnavailableReason } from "../criterion.js";
import type { GitHubFacts } from "../facts.js";
import type { Criterion, Unavailable } from "../types.js";

export type MergedReason =
  | "reachable_from_default_branch"
  | "merged_pull_request"
  | "not_merged"
  | UnavailableReason;

/**
 * Reachable from the default branch (the default branch is `behind` or `identical` to the commit),
 * or the head of a merged pull request. Not merged yet is pending: merging later makes it pass.
 */
export function mergedCriterion(facts: GitHubFacts): Criterion {
  const branch = facts.defaultBranch ?? "the default branch";
  const base = { id: "merged", title: `merged into ${branch}` } as const;
  const { reachability, pulls } = facts;
  if (
    reachability?.ok &&
    (reachability.value.status === "behind" || reachability.value.status === "identical")
  )
    return make({
      ...base,
      status: "pass",
      reason: "reachable_from_default_branch",
      message: `${branch} contains ${facts.sha.slice(0, 7)}`,
      url: reachability.value.url,
    });
  const merged = pulls?.ok
    ? pulls.value.find((p) => p.headSha === facts.sha && p.mergedAt !== null)
    : undefined;
  if (merged)
    return make({
      ...base,
      status: "pass",
      reason: "merged_pull_request",
      message: `head of merged pull request #${merged.number}`,
      url: merged.url,
    });
  const failure = [reachability, pulls].find(
    (f): f is Unavailable & { reason: UnavailableReason } => f !== null && !f.ok && f.reason !== "not_found",
  );
  if (failure) return make({ ...base, status: "pending", reason: failure.reason, message: failure.message });
  const open = pulls?.ok ? pulls.value.find((p) => p.headSha === facts.sha) : undefined;
  return make({
    ...base,
    status: "pending",
    reason: "not_merged",
    message: open
      ? `pull request #${open.number} is not merged yet`
      : `${branch} does not contain ${facts.sha.slice(0, 7)} and no merged pull request has it as head`,
    url: open?.url ?? (reachability?.ok ? reachability.value.url : null),
  });
}

export const criterion: EvidenceCriterion = {
  name: "merged",
  // A push to the default branch may make the commit reachable; a pull request may be merged.
  triggers: ["push", "pull_request"],
  judgedWhen: "commit_found",
  evaluate: (facts, policy) => (policy.require_merged ? [mergedCriterion(facts.github)] : []),
};
