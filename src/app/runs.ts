/**
 * Liveness from GitHub: `workflow_run` and `workflow_job` webhooks about a run an attempt is bound
 * to (src/lifecycle/attempt-runs.ts). While the run is queued or in progress its attempt's lease is
 * renewed; once the run completed without the attempt being reported (complete, needs-input or
 * fail), the lease runs out after `graceMs` and the dispatcher's expiry phase ends it as `lost`.
 * Heartbeats stay for the `command` launcher.
 */
import { z } from "zod";
import type { Lifecycle } from "../lifecycle/index.js";

export const RUN_EVENTS = ["workflow_run", "workflow_job"] as const;

export interface RunLivenessDeps {
  readonly lifecycle: { readonly runs: Pick<Lifecycle["runs"], "renew" | "completed"> };
  /** The lease a live run's attempt is given (`dispatch.attempt_lease_seconds`). */
  readonly leaseMs: number;
  /** How long an attempt outlives its completed, unreported run (`dispatch.run_grace_seconds`). */
  readonly graceMs: number;
}

const Id = z.union([z.number().int().positive(), z.string().regex(/^[1-9][0-9]{0,19}$/)]).transform(String);
const Repository = z.object({ full_name: z.string().regex(/^[^/\s]+\/[^/\s]+$/) });
const WorkflowRunEvent = z.object({
  action: z.string().min(1).max(100),
  repository: Repository,
  workflow_run: z.object({ id: Id }),
});
const WorkflowJobEvent = z.object({
  action: z.string().min(1).max(100),
  repository: Repository,
  workflow_job: z.object({ run_id: Id }),
});

/** Renews or winds down the leases of the run's attempts; returns the delivery's outcome. */
export async function handleRunEvent(deps: RunLivenessDeps, name: string, payload: unknown): Promise<string> {
  const parsed =
    name === "workflow_run" ? WorkflowRunEvent.safeParse(payload) : WorkflowJobEvent.safeParse(payload);
  if (!parsed.success) {
    const path = parsed.error.issues[0]?.path.join(".") || "(payload)";
    return `ignored:malformed_payload:${path.slice(0, 80)}`;
  }
  const p = parsed.data;
  const repository = p.repository.full_name;
  const runId = "workflow_run" in p ? p.workflow_run.id : p.workflow_job.run_id;
  const live = ["requested", "queued", "in_progress", "waiting"].includes(p.action);
  if (name === "workflow_run" && p.action === "completed") {
    const ended = await deps.lifecycle.runs.completed({ repository, runId, graceMs: deps.graceMs });
    return ended.length ? `run:completed:${ended.length}` : "run:no_attempt";
  }
  if (live) {
    const renewed = await deps.lifecycle.runs.renew({ repository, runId, leaseMs: deps.leaseMs });
    return renewed.length ? `run:renewed:${renewed.length}` : "run:no_attempt";
  }
  // A job that completed says nothing about the run: its later jobs (the report) still follow.
  return `ignored:${name}.${p.action}`;
}
