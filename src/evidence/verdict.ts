import { createHash } from "node:crypto";
import { CRITERIA } from "./criteria/index.js";
import type { CommitFacts, CriterionFacts, EvidenceCriterion } from "./criterion.js";
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
 * Facts + policy + the attempt → a verdict. Pure. Each criterion of the registry
 * (src/evidence/criteria/index.ts) is judged when its `judgedWhen` holds, and its rows appear in
 * registry order. The requirements come from the policy, so an unreadable or invalid policy leaves
 * the verdict pending (never pass); a commit that does not exist fails on its own (or waits, within
 * the grace after the completion), without a row per check: the `commit_found` criteria are judged
 * only on a commit GitHub found (their facts are not read otherwise).
 */
export function buildVerdict(input: VerdictInput): Verdict {
  const { policy, facts: github } = input;
  const facts: CriterionFacts = { subject: input.subject, missingCommitGraceMs: input.missingCommitGraceMs };
  const commitFacts: CommitFacts | null = github ? { ...facts, github } : null;
  const judge = (entry: EvidenceCriterion): Criterion[] => {
    switch (entry.judgedWhen) {
      case "always":
        return entry.evaluate(facts, policy);
      case "policy_read":
        return policy.ok ? entry.evaluate(facts, policy.policy) : [];
      case "commit_asked":
      case "commit_found":
        return policy.ok && commitFacts ? entry.evaluate(commitFacts, policy.policy) : [];
    }
  };
  const rows = new Map<EvidenceCriterion, Criterion[]>();
  for (const entry of CRITERIA) if (entry.judgedWhen !== "commit_found") rows.set(entry, judge(entry));
  const commitFound = CRITERIA.every(
    (entry) => entry.judgedWhen !== "commit_asked" || rows.get(entry)?.every((c) => c.status === "pass"),
  );
  if (commitFound)
    for (const entry of CRITERIA) if (entry.judgedWhen === "commit_found") rows.set(entry, judge(entry));
  return verdictOf(CRITERIA.flatMap((entry) => rows.get(entry) ?? []));
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
