import { isoTime } from "../world/clock.js";
import { nodeId } from "../world/ids.js";
import type { RepositoryRecord, WorkflowRecord, WorkflowRunRecord } from "../world/types.js";
import { presentSimpleCommit } from "./commits.js";
import { presentMinimalRepository, repoApiUrl, repoHtmlUrl } from "./repositories.js";
import { presentUser } from "./users.js";
import type { JsonObject, View } from "./view.js";

export function presentWorkflow(view: View, repo: RepositoryRecord, workflow: WorkflowRecord): JsonObject {
  return {
    id: workflow.id,
    node_id: nodeId("W", workflow.id),
    name: workflow.name,
    path: workflow.path,
    state: "active",
    created_at: isoTime(workflow.createdAt),
    updated_at: isoTime(workflow.createdAt),
    url: `${repoApiUrl(view, repo)}/actions/workflows/${workflow.id}`,
    html_url: `${repoHtmlUrl(view, repo)}/blob/${repo.defaultBranch}/${workflow.path}`,
    badge_url: `${repoHtmlUrl(view, repo)}/workflows/${encodeURIComponent(workflow.name)}/badge.svg`,
  };
}

/** "Workflow Run", shared by REST and `workflow_run` webhooks. */
export function presentWorkflowRun(view: View, repo: RepositoryRecord, run: WorkflowRunRecord): JsonObject {
  const api = `${repoApiUrl(view, repo)}/actions/runs/${run.id}`;
  const workflow = repo.workflows.get(run.workflowId);
  const commit = repo.commits.get(run.headSha);
  const actor = presentUser(view, view.world.requireUser(run.actorId));
  const repository = presentMinimalRepository(view, repo);
  return {
    id: run.id,
    name: workflow?.name ?? "",
    node_id: nodeId("WFR", run.id),
    head_branch: run.headBranch,
    head_sha: run.headSha,
    path: workflow?.path ?? "",
    display_title: workflow?.name ?? "",
    run_number: run.runNumber,
    event: run.event,
    status: run.status,
    conclusion: run.conclusion,
    workflow_id: run.workflowId,
    check_suite_id: run.checkSuiteId,
    check_suite_node_id: nodeId("CS", run.checkSuiteId),
    url: api,
    html_url: `${repoHtmlUrl(view, repo)}/actions/runs/${run.id}`,
    pull_requests: [],
    created_at: isoTime(run.createdAt),
    updated_at: isoTime(run.updatedAt),
    actor,
    triggering_actor: actor,
    run_attempt: 1,
    referenced_workflows: [],
    run_started_at: isoTime(run.runStartedAt),
    jobs_url: `${api}/jobs`,
    logs_url: `${api}/logs`,
    check_suite_url: `${repoApiUrl(view, repo)}/check-suites/${run.checkSuiteId}`,
    artifacts_url: `${api}/artifacts`,
    cancel_url: `${api}/cancel`,
    rerun_url: `${api}/rerun`,
    previous_attempt_url: null,
    workflow_url: `${repoApiUrl(view, repo)}/actions/workflows/${run.workflowId}`,
    head_commit: commit ? presentSimpleCommit(commit) : null,
    repository,
    head_repository: repository,
  };
}
