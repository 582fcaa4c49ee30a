import { randomBytes } from "node:crypto";
import type { Actor } from "./actor.js";
import type {
  RepositoryRecord,
  WorkflowJobRecord,
  WorkflowRunConclusion,
  WorkflowRunRecord,
} from "./types.js";
import { setWorkflowRunStatus } from "./workflows.js";
import type { WorldState } from "./world-state.js";

export interface JobInput {
  readonly name?: string;
  /** The job has `permissions: id-token: write`: it gets a request token for OIDC tokens. */
  readonly idToken?: boolean;
  /** A reusable workflow's `owner/name/path@ref` when the job calls one (default: the run's workflow). */
  readonly jobWorkflowRef?: string;
}

/** `owner/name/<workflow path>@refs/heads/<branch>`: the run's `workflow_ref` claim. */
export function workflowRefOf(world: WorldState, repo: RepositoryRecord, run: WorkflowRunRecord): string {
  const workflow = repo.workflows.get(run.workflowId);
  return `${world.fullName(repo)}/${workflow?.path ?? ""}@refs/heads/${run.headBranch}`;
}

/**
 * Starts a job of a run: emits `workflow_job.queued` then `.in_progress`, and moves a queued run to
 * in_progress (`workflow_run.in_progress`). A completed run cannot start jobs.
 */
export function startJob(
  world: WorldState,
  repo: RepositoryRecord,
  run: WorkflowRunRecord,
  input: JobInput,
  actor: Actor,
): WorkflowJobRecord {
  if (run.status === "completed") throw new Error(`stand-in world: run ${run.id} is already completed`);
  const now = world.now();
  const job: WorkflowJobRecord = {
    id: world.ids.id(),
    runId: run.id,
    repositoryId: repo.id,
    name: input.name ?? "job",
    jobWorkflowRef: input.jobWorkflowRef ?? workflowRefOf(world, repo, run),
    requestToken: input.idToken ? randomBytes(24).toString("hex") : null,
    status: "queued",
    conclusion: null,
    createdAt: now,
    startedAt: now,
    completedAt: null,
  };
  world.workflowJobs.set(job.id, job);
  const emit = (action: "queued" | "in_progress") =>
    world.emit({
      kind: "workflow_job",
      action,
      repositoryId: repo.id,
      jobId: job.id,
      senderId: actor.user.id,
    });
  emit("queued");
  if (run.status !== "in_progress") setWorkflowRunStatus(world, repo, run, "in_progress", null, actor);
  job.status = "in_progress";
  emit("in_progress");
  return job;
}

/** Ends a job (its request token stops working); emits `workflow_job.completed` once. */
export function endJob(
  world: WorldState,
  job: WorkflowJobRecord,
  conclusion: WorkflowRunConclusion,
  actor: Actor,
): WorkflowJobRecord {
  if (job.status === "completed") return job;
  job.status = "completed";
  job.conclusion = conclusion;
  job.completedAt = world.now();
  world.emit({
    kind: "workflow_job",
    action: "completed",
    repositoryId: job.repositoryId,
    jobId: job.id,
    senderId: actor.user.id,
  });
  return job;
}

/** Completes a run with a conclusion: its open jobs end with it, then `workflow_run.completed`. */
export function completeRun(
  world: WorldState,
  repo: RepositoryRecord,
  run: WorkflowRunRecord,
  conclusion: WorkflowRunConclusion,
  actor: Actor,
): WorkflowRunRecord {
  for (const job of jobsOf(world, run)) endJob(world, job, conclusion, actor);
  return setWorkflowRunStatus(world, repo, run, "completed", conclusion, actor);
}

export function jobsOf(world: WorldState, run: WorkflowRunRecord): WorkflowJobRecord[] {
  return [...world.workflowJobs.values()].filter((job) => job.runId === run.id);
}

/** The running job a request token belongs to, or null (unknown token, or the job has ended). */
export function jobByRequestToken(world: WorldState, token: string): WorkflowJobRecord | null {
  for (const job of world.workflowJobs.values())
    if (job.requestToken !== null && job.requestToken === token)
      return job.status === "completed" ? null : job;
  return null;
}
