import { workflowRefOf } from "../world/jobs.js";
import type { RepositoryRecord, WorkflowJobRecord, WorkflowRunRecord } from "../world/types.js";
import type { WorldState } from "../world/world-state.js";

/**
 * The claims GitHub puts in a job's OIDC token, from its run and job
 * (https://docs.github.com/en/actions/reference/openid-connect-reference). `iss`, `aud`, `iat`,
 * `nbf`, `exp` and `jti` are added when signing.
 */
export function jobClaims(
  world: WorldState,
  repo: RepositoryRecord,
  run: WorkflowRunRecord,
  job: WorkflowJobRecord,
): Record<string, string> {
  const fullName = world.fullName(repo);
  const owner = world.requireUser(repo.ownerId);
  const ref = `refs/heads/${run.headBranch}`;
  const workflowRef = workflowRefOf(world, repo, run);
  return {
    sub: run.event === "pull_request" ? `repo:${fullName}:pull_request` : `repo:${fullName}:ref:${ref}`,
    ref,
    ref_type: "branch",
    sha: run.headSha,
    repository: fullName,
    repository_id: String(repo.id),
    repository_owner: owner.login,
    repository_owner_id: String(owner.id),
    repository_visibility: repo.private ? "private" : "public",
    run_id: String(run.id),
    run_number: String(run.runNumber),
    run_attempt: "1",
    actor: world.requireUser(run.actorId).login,
    actor_id: String(run.actorId),
    workflow: repo.workflows.get(run.workflowId)?.name ?? "",
    workflow_ref: workflowRef,
    workflow_sha: run.headSha,
    job_workflow_ref: job.jobWorkflowRef,
    job_workflow_sha: run.headSha,
    event_name: run.event,
    runner_environment: "github-hosted",
  };
}
