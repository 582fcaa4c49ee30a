import { type EvidenceCriterion, make } from "../criterion.js";
import type { SubjectFacts } from "../facts.js";
import type { Criterion } from "../types.js";

export type EvidenceReason = "evidence_invalid" | "evidence_other_attempt" | "evidence_valid";

/**
 * The evidence must be well-formed (the worker's schema: clean tree, HEAD pushed) and name this
 * very attempt: evidence copied from another attempt proves nothing.
 */
export function evidenceCriterion(subject: SubjectFacts): Criterion {
  const base = { id: "evidence", title: "evidence is well-formed" } as const;
  if (!subject.evidence.ok)
    return make({ ...base, status: "fail", reason: "evidence_invalid", message: subject.evidence.message });
  const evidence = subject.evidence.evidence;
  if (evidence.attemptId !== subject.attempt.id)
    return make({
      ...base,
      status: "fail",
      reason: "evidence_other_attempt",
      message: `the evidence names attempt ${evidence.attemptId}, not ${subject.attempt.id}`,
    });
  return make({
    ...base,
    status: "pass",
    reason: "evidence_valid",
    message: `commit ${evidence.sha.slice(0, 7)} pushed to ${evidence.branch}`,
  });
}

export const criterion: EvidenceCriterion = {
  name: "evidence",
  triggers: [],
  notRetriggered: "the worker's evidence is stored with the completion and never changes after it",
  judgedWhen: "always",
  evaluate: (facts) => [evidenceCriterion(facts.subject)],
};
