import { type EvidenceCriterion, make } from "../criterion.js";
import type { SubjectFacts } from "../facts.js";
import type { Criterion } from "../types.js";

export type TestsReason = "evidence_invalid" | "tests_not_run" | "tests_passed";

/** The worker's own test run (it passed, exit code 0), when the policy requires it. */
export function testsCriterion(subject: SubjectFacts): Criterion {
  const base = { id: "tests", title: "worker's test run" } as const;
  if (!subject.evidence.ok)
    return make({ ...base, status: "fail", reason: "evidence_invalid", message: "no usable evidence" });
  const tests = subject.evidence.evidence.tests;
  if (tests.status === "not_configured")
    return make({
      ...base,
      status: "fail",
      reason: "tests_not_run",
      message: "no test command ran (worker.test_command is not configured)",
    });
  const summary = tests.summary.trim().split("\n").pop() ?? "";
  return make({
    ...base,
    status: "pass",
    reason: "tests_passed",
    message: `exit code ${tests.exitCode}${summary ? `: ${summary}` : ""}`,
  });
}

export const criterion: EvidenceCriterion = {
  name: "tests",
  triggers: [],
  notRetriggered: "the worker's test run is part of its evidence, which never changes after the completion",
  judgedWhen: "policy_read",
  evaluate: (facts, policy) => (policy.require_tests ? [testsCriterion(facts.subject)] : []),
};
