import { isoTime } from "../world/clock.js";
import { nodeId } from "../world/ids.js";
import type { RepositoryRecord, WorkflowJobRecord } from "../world/types.js";
import { repoApiUrl, repoHtmlUrl } from "./repositories.js";
import type { JsonObject, View } from "./view.js";

/** "Workflow Job" as the `workflow_job` webhook carries it (one runner, no steps recorded). */
export function presentWorkflowJob(view: View, repo: RepositoryRecord, job: WorkflowJobRecord): JsonObject {
  const run = repo.workflowRuns.get(job.runId);
  const workflow = run ? repo.workflows.get(run.workflowId) : undefined;
  const api = repoApiUrl(view, repo);
  const assigned = job.status !== "queued";
  return {
    id: job.id,
    run_id: job.runId,
    run_url: `${api}/actions/runs/${job.runId}`,
    run_attempt: 1,
    node_id: nodeId("CR", job.id),
    head_sha: run?.headSha ?? "",
    head_branch: run?.headBranch ?? null,
    url: `${api}/actions/jobs/${job.id}`,
    html_url: `${repoHtmlUrl(view, repo)}/actions/runs/${job.runId}/job/${job.id}`,
    status: job.status,
    conclusion: job.conclusion,
    created_at: isoTime(job.createdAt),
    started_at: isoTime(job.startedAt),
    completed_at: job.completedAt === null ? null : isoTime(job.completedAt),
    name: job.name,
    steps: [],
    check_run_url: `${api}/check-runs/${job.id}`,
    labels: ["ubuntu-latest"],
    runner_id: assigned ? 1 : null,
    runner_name: assigned ? "GitHub Actions 1" : null,
    runner_group_id: assigned ? 2 : null,
    runner_group_name: assigned ? "GitHub Actions" : null,
    workflow_name: workflow?.name ?? null,
  };
}
