import { createHash } from "node:crypto";
import {
  attemptCriterion,
  checkCriterion,
  commitCriterion,
  deploymentCriterion,
  evidenceCriterion,
  mergedCriterion,
  policyCriterion,
  statusCriterion,
  testsCriterion,
} from "./criteria.js";
import type { GitHubFacts, PolicyFact, SubjectFacts } from "./facts.js";
import type { Criterion, CriterionStatus, Verdict } from "./types.js";

export interface VerdictInput {
  readonly subject: SubjectFacts;
  readonly policy: PolicyFact;
  /** Null when there was no commit to ask GitHub about (no usable evidence, or no policy). */
  readonly facts: GitHubFacts | null;
  /** How long after the completion a commit GitHub does not find is pending rather than failed. */
  readonly missingCommitGraceMs: number;
}

/**
 * Facts + policy + the attempt → a verdict. Pure. The requirements come from the policy, so an
 * unreadable or invalid policy leaves the verdict pending (never pass); a commit that does not exist
 * fails on its own (or waits, within the grace after the completion), without a row per check: the
 * requirements are judged only on a commit GitHub found (their facts are not read otherwise).
 */
export function buildVerdict(input: VerdictInput): Verdict {
  const { subject, policy, facts } = input;
  const criteria: Criterion[] = [
    attemptCriterion(subject),
    evidenceCriterion(subject),
    policyCriterion(policy),
  ];
  if (policy.ok && facts) {
    const commit = commitCriterion(facts, subject, input.missingCommitGraceMs);
    criteria.push(commit);
    if (commit.status === "pass") criteria.push(...requirementCriteria(policy.policy, facts));
  }
  if (policy.ok && policy.policy.require_tests) criteria.push(testsCriterion(subject));
  return verdictOf(criteria);
}

function requirementCriteria(
  policy: Extract<PolicyFact, { ok: true }>["policy"],
  facts: GitHubFacts,
): Criterion[] {
  const criteria: Criterion[] = [];
  if (policy.require_merged) criteria.push(mergedCriterion(facts));
  const checkRuns = facts.checkRuns ?? { ok: true as const, value: [] };
  for (const required of policy.required_checks)
    criteria.push(checkCriterion(required, checkRuns, facts.sha, facts.selfAppId));
  const statuses = facts.statuses ?? { ok: true as const, value: [] };
  for (const context of policy.required_statuses)
    criteria.push(statusCriterion(context, statuses, facts.sha));
  for (const environment of policy.required_environments)
    criteria.push(deploymentCriterion(environment, facts.deployments[environment]));
  return criteria;
}

/** The overall status: any fail → fail; else any pending → pending; else pass. */
export function overallStatus(criteria: readonly Pick<Criterion, "status">[]): CriterionStatus {
  if (criteria.some((c) => c.status === "fail")) return "fail";
  if (criteria.some((c) => c.status === "pending")) return "pending";
  return "pass";
}

export function verdictOf(criteria: readonly Criterion[]): Verdict {
  const status = overallStatus(criteria);
  const ids = (s: CriterionStatus) => criteria.filter((c) => c.status === s).map((c) => c.id);
  const parts = [`${ids("pass").length} pass`];
  for (const s of ["pending", "fail"] as const)
    if (ids(s).length) parts.push(`${ids(s).length} ${s} (${ids(s).join(", ")})`);
  const fingerprint = createHash("sha256")
    .update(JSON.stringify([status, criteria.map((c) => [c.id, c.status, c.reason, c.message])]))
    .digest("hex")
    .slice(0, 32);
  return { status, criteria, summary: `${status}: ${parts.join(", ")}`, fingerprint };
}
