import type { Octokit } from "@octokit/rest";
import type { Executor } from "../db/database.js";
import type { Clock, Lifecycle } from "../lifecycle/index.js";
import { countLiveAttempts } from "../lifecycle/queries.js";
import type { WorkerCountSource } from "./worker-count.js";

/** Attempts whose lease is live (launching or running, not yet expired), counted by the lifecycle. */
export function lifecycleWorkerSource(lifecycle: Pick<Lifecycle, "countLiveAttempts">): WorkerCountSource {
  return { name: "database", count: () => lifecycle.countLiveAttempts() };
}

/**
 * The same count for a composition root that holds the database itself (the demo); prefer
 * `lifecycleWorkerSource` wherever a lifecycle is at hand.
 */
export function databaseWorkerSource(db: Executor, clock: Clock): WorkerCountSource {
  return { name: "database", count: () => countLiveAttempts(db, clock.now()) };
}

/** Runs of the agent workflow that are queued or in progress (GitHub mode). */
export function workflowRunsWorkerSource(
  octokit: Octokit,
  target: { owner: string; repo: string; workflow: string },
): WorkerCountSource {
  return {
    name: "github-workflow-runs",
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
