import { type EvidenceCriterion, make, type UnavailableReason, unknownFact } from "../criterion.js";
import type { StatusFact } from "../facts.js";
import type { Criterion, Fetched } from "../types.js";

export type RequiredStatusReason =
  | "status_missing"
  | "status_succeeded"
  | "status_pending"
  | "status_failed"
  | "commit_not_found"
  | UnavailableReason;

/** A required commit status context: its latest state on that commit must be `success`. */
export function statusCriterion(
  context: string,
  statuses: Fetched<readonly StatusFact[]>,
  sha: string,
): Criterion {
  const base = { id: `status:${context}`, title: `status "${context}"` };
  if (!statuses.ok) return unknownFact(base.id, base.title, statuses, "commit");
  const found = statuses.value.find((status) => status.context === context);
  if (!found)
    return make({
      ...base,
      status: "pending",
      reason: "status_missing",
      message: `no status "${context}" on ${sha.slice(0, 7)} yet`,
    });
  if (found.state === "success")
    return make({ ...base, status: "pass", reason: "status_succeeded", message: "success", url: found.url });
  if (found.state === "pending")
    return make({ ...base, status: "pending", reason: "status_pending", message: "pending", url: found.url });
  return make({ ...base, status: "fail", reason: "status_failed", message: found.state, url: found.url });
}

export const criterion: EvidenceCriterion = {
  name: "required-statuses",
  triggers: ["status"],
  judgedWhen: "commit_found",
  evaluate: ({ github }, policy) => {
    const statuses = github.statuses ?? { ok: true as const, value: [] };
    return policy.required_statuses.map((context) => statusCriterion(context, statuses, github.sha));
  },
};
