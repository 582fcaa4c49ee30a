import { type EvidenceCriterion, make, type UnavailableReason, unknownFact } from "../criterion.js";
import type { DeploymentFact } from "../facts.js";
import type { Criterion, Fetched } from "../types.js";

export type RequiredEnvironmentReason =
  | "deployment_missing"
  | "deployment_succeeded"
  | "deployment_pending"
  | "deployment_failed"
  | "deployment_not_found"
  | UnavailableReason;

const DEPLOYMENT_PENDING = new Set(["queued", "pending", "in_progress"]);

/** A required environment: the latest status of the latest deployment of that commit decides. */
export function deploymentCriterion(
  environment: string,
  fact: Fetched<DeploymentFact | null> | undefined,
): Criterion {
  const base = { id: `deployment:${environment}`, title: `deployed to ${environment}` };
  if (!fact)
    return make({
      ...base,
      status: "pending",
      reason: "deployment_missing",
      message: `no deployment to ${environment} looked up`,
    });
  if (!fact.ok) return unknownFact(base.id, base.title, fact, "deployment");
  const deployment = fact.value;
  if (!deployment)
    return make({
      ...base,
      status: "pending",
      reason: "deployment_missing",
      message: `no deployment of the commit to ${environment} yet`,
    });
  if (deployment.state === "success")
    return make({
      ...base,
      status: "pass",
      reason: "deployment_succeeded",
      message: `deployment ${deployment.id} succeeded`,
      url: deployment.url,
    });
  if (deployment.state === null || DEPLOYMENT_PENDING.has(deployment.state))
    return make({
      ...base,
      status: "pending",
      reason: "deployment_pending",
      message: `deployment ${deployment.id} is ${deployment.state ?? "without a status"}`,
      url: deployment.url,
    });
  return make({
    ...base,
    status: "fail",
    reason: "deployment_failed",
    message: `deployment ${deployment.id} is ${deployment.state}`,
    url: deployment.url,
  });
}

export const criterion: EvidenceCriterion = {
  name: "required-environments",
  triggers: ["deployment_status"],
  judgedWhen: "commit_found",
  evaluate: ({ github }, policy) =>
    policy.required_environments.map((environment) =>
      deploymentCriterion(environment, github.deployments[environment]),
    ),
};
