import { EVIDENCE_CHECK_NAME, type EvidenceConfig } from "../../config/schema.js";
import { type EvidenceCriterion, make, type UnavailableReason, unknownFact } from "../criterion.js";
import type { CheckRunFact } from "../facts.js";
import type { Criterion, Fetched } from "../types.js";

export type RequiredCheckReason =
  | "check_missing"
  | "check_failed"
  | "check_running"
  | "check_succeeded"
  | "commit_not_found"
  | UnavailableReason;

/** Check runs that may count for `sha`: on that very commit, and not produced by Mission Control. */
export function countableRuns(
  runs: readonly CheckRunFact[],
  sha: string,
  selfAppId: number | null,
): CheckRunFact[] {
  return runs.filter(
    (run) =>
      run.headSha === sha &&
      run.name !== EVIDENCE_CHECK_NAME &&
      (selfAppId === null || run.appId !== selfAppId),
  );
}

/**
 * A required check: every matching run (latest per app, optionally only the named app) completed
 * with `success`. Missing is pending, still running (conclusion null) is pending, never green.
 */
export function checkCriterion(
  required: EvidenceConfig["required_checks"][number],
  checkRuns: Fetched<readonly CheckRunFact[]>,
  sha: string,
  selfAppId: number | null,
): Criterion {
  const id = `check:${required.name}`;
  const title = required.app ? `check "${required.name}" (${required.app})` : `check "${required.name}"`;
  if (!checkRuns.ok) return unknownFact(id, title, checkRuns, "commit");
  const matching = countableRuns(checkRuns.value, sha, selfAppId).filter(
    (run) => run.name === required.name && (required.app === undefined || run.appSlug === required.app),
  );
  if (!matching.length)
    return make({
      id,
      title,
      status: "pending",
      reason: "check_missing",
      message: `no check run "${required.name}" on ${sha.slice(0, 7)} yet`,
    });
  const failed = matching.find((run) => run.conclusion !== null && run.conclusion !== "success");
  if (failed)
    return make({
      id,
      title,
      status: "fail",
      reason: "check_failed",
      message: `concluded ${failed.conclusion}`,
      url: failed.url,
    });
  const running = matching.find((run) => run.status !== "completed" || run.conclusion === null);
  if (running)
    return make({
      id,
      title,
      status: "pending",
      reason: "check_running",
      message: `still ${running.status} (no conclusion yet)`,
      url: running.url,
    });
  return make({
    id,
    title,
    status: "pass",
    reason: "check_succeeded",
    message: "completed with success",
    url: matching[0]?.url ?? null,
  });
}

export const criterion: EvidenceCriterion = {
  name: "required-checks",
  triggers: ["check_run", "check_suite"],
  judgedWhen: "commit_found",
  evaluate: ({ github }, policy) => {
    const checkRuns = github.checkRuns ?? { ok: true as const, value: [] };
    return policy.required_checks.map((required) =>
      checkCriterion(required, checkRuns, github.sha, github.selfAppId),
    );
  },
};
