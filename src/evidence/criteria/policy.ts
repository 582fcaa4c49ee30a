import { type EvidenceCriterion, make } from "../criterion.js";
import type { PolicyFact } from "../facts.js";
import type { Criterion } from "../types.js";

export type PolicyReason = "policy_read" | "policy_invalid" | "policy_unavailable";

/** The repository policy must be readable and valid; an invalid one says which key is wrong. */
export function policyCriterion(policy: PolicyFact): Criterion {
  const base = { id: "policy", title: "repository policy" } as const;
  if (policy.ok)
    return make({
      ...base,
      status: "pass",
      reason: "policy_read",
      message: `read from ${policy.source}`,
      url: policy.url,
    });
  if (policy.reason === "invalid")
    return make({
      ...base,
      status: "pending",
      reason: "policy_invalid",
      message: policy.message,
      url: policy.url,
    });
  return make({ ...base, status: "pending", reason: "policy_unavailable", message: policy.message });
}

export const criterion: EvidenceCriterion = {
  name: "policy",
  // The policy is read from the default branch: a push there may have fixed or changed it.
  triggers: ["push"],
  judgedWhen: "always",
  evaluate: (_facts, policy) => [policyCriterion(policy)],
};
