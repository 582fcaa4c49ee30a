import type { Octokit } from "@octokit/rest";
import { and, count, gt, inArray } from "drizzle-orm";
import { LIVE_ATTEMPT_STATUSES } from "../domain/attempts.js";
import type { Executor } from "../db/database.js";
import { attempts } from "../db/schema.js";
import type { Clock } from "../lifecycle/index.js";
import type { WorkerCountSource } from "./worker-count.js";

/** Attempts whose lease is live (launching or running, not yet expired). */
export function databaseWorkerSource(db: Executor, clock: Clock): WorkerCountSource {
  return {
    name: "database",
    async count() {
      const [row] = await db
        .select({ n: count() })
        .from(attempts)
        .where(
          and(inArray(attempts.status, [...LIVE_ATTEMPT_STATUSES]), gt(attempts.leaseExpiresAt, clock.now())),
        );
      return Number(row?.n ?? 0);
    },
  };
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
