import type { ActionsClaims, TokenRefusal } from "./claims.js";

/** What a route requires of a verified token; each field left out is not checked. */
export interface ClaimDemands {
  /** `owner/name`, compared case-insensitively as GitHub names are. */
  readonly repository?: string;
  /** The exact `workflow_ref`, e.g. `acme/mission-control/.github/workflows/dispatch.yml@refs/heads/main`. */
  readonly workflowRef?: string;
  /** The exact `job_workflow_ref` (the reusable workflow the job's steps come from). */
  readonly jobWorkflowRef?: string;
  /** Events the run may have been started by, e.g. `["schedule", "workflow_dispatch"]`. */
  readonly eventNames?: readonly string[];
  /** The run the token must come from (every call of an attempt after `start`). */
  readonly runId?: string;
}

const forbid = (reason: string, message: string): TokenRefusal => ({ status: 403, reason, message });

/**
 * A route's policy on a verified token: null when the claims meet every demand, else the first
 * refusal (403: the token is genuine but not for this).
 */
export function demandClaims(claims: ActionsClaims, demands: ClaimDemands): TokenRefusal | null {
  if (
    demands.repository !== undefined &&
    claims.repository.toLowerCase() !== demands.repository.toLowerCase()
  )
    return forbid(
      "wrong_repository",
      `The token is from ${claims.repository}; this call accepts only ${demands.repository}.`,
    );
  if (demands.workflowRef !== undefined && claims.workflow_ref !== demands.workflowRef)
    return forbid(
      "wrong_workflow",
      `The token is from workflow ${claims.workflow_ref}; this call accepts only ${demands.workflowRef}.`,
    );
  if (demands.jobWorkflowRef !== undefined && claims.job_workflow_ref !== demands.jobWorkflowRef)
    return forbid(
      "wrong_workflow",
      `The token's job runs ${claims.job_workflow_ref}; this call accepts only ${demands.jobWorkflowRef}.`,
    );
  if (demands.eventNames !== undefined && !demands.eventNames.includes(claims.event_name))
    return forbid(
      "wrong_event",
      `The run was started by ${claims.event_name}; this call accepts only ${demands.eventNames.join(", ")}.`,
    );
  if (demands.runId !== undefined && claims.run_id !== demands.runId)
    return forbid(
      "wrong_run",
      `The token is from run ${claims.run_id}; this call belongs to run ${demands.runId}.`,
    );
  return null;
}
