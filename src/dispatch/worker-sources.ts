import type { Octokit } from "@octokit/rest";
import type { Lifecycle } from "../lifecycle/index.js";
import type { WorkerCountSource } from "./worker-count.js";

/** Attempts whose lease is live (launching or running, not yet expired), by repository, counted by the lifecycle. */
export function lifecycleWorkerSource(
  lifecycle: Pick<Lifecycle, "countLiveAttemptsByRepository">,
): WorkerCountSource {
  return { name: "database", count: (scope) => lifecycle.countLiveAttemptsByRepository(scope) };
}

/** Runs of one repository's agent workflow that are queued or in progress (GitHub mode). */
export function workflowRunsWorkerSource(
  octokit: Octokit,
  target: { owner: string; repo: string; workflow: string },
): WorkerCountSource {
  return {
    name: "github-workflow-runs",
    repository: `${target.owner}/${target.repo}`,
    async count() {
      let total = 0;
      for (const status of ["queued", "in_progress"] as const) {
        const { data } = await octokit.rest.actions.listWorkflowRuns({
          owner: target.owner,
          repo: target.repo,
          workflow_id: target.workflow,
          status,
          per_page: 1,
        });
        total += data.total_count;
      }
      return total;
    },
  };
}
