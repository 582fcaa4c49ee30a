import type { Actor } from "./actor.js";
import { invalid, notFound, ok, type Result } from "./results.js";
import type {
  RepositoryRecord,
  WorkflowRecord,
  WorkflowRunConclusion,
  WorkflowRunRecord,
  WorkflowRunStatus,
} from "./types.js";
import type { WorldState } from "./world-state.js";

/** Adds a workflow definition (`path` like `.github/workflows/agent.yml`). */
export function addWorkflow(
  world: WorldState,
  repo: RepositoryRecord,
  input: { path: string; name?: string },
): WorkflowRecord {
  const workflow: WorkflowRecord = {
    id: world.ids.id(),
    name: input.name ?? input.path.split("/").at(-1) ?? input.path,
    path: input.path,
    createdAt: world.now(),
  };
  repo.workflows.set(workflow.id, workflow);
  return workflow;
}

/** Finds a workflow by numeric id or by file name, as `{workflow_id}` accepts both. */
export function findWorkflow(repo: RepositoryRecord, idOrFile: string): Result<WorkflowRecord> {
  for (const workflow of repo.workflows.values()) {
    if (String(workflow.id) === idOrFile || workflow.path.split("/").at(-1) === idOrFile) return ok(workflow);
  }
  return notFound("Workflow");
}

export interface RunInput {
  readonly ref: string;
  readonly event?: string;
  readonly inputs?: Readonly<Record<string, unknown>>;
  readonly status?: WorkflowRunStatus;
  readonly conclusion?: WorkflowRunConclusion | null;
}

/** Starts a run of a workflow on a branch (or sha); emits `workflow_run.requested`. */
export function startWorkflowRun(
  world: WorldState,
  repo: RepositoryRecord,
  workflow: WorkflowRecord,
  input: RunInput,
  actor: Actor,
): Result<WorkflowRunRecord> {
  const branch = input.ref.replace(/^refs\/heads\//, "");
  const headSha = repo.branches.get(branch) ?? (repo.commits.has(input.ref) ? input.ref : undefined);
  if (!headSha) return invalid("Workflow", "ref", "invalid", `No ref found for: ${input.ref}`);
  const previous = [...repo.workflowRuns.values()].filter((run) => run.workflowId === workflow.id).length;
  const now = world.now();
  const run: WorkflowRunRecord = {
    id: world.ids.id(),
    workflowId: workflow.id,
    runNumber: previous + 1,
    event: input.event ?? "workflow_dispatch",
    headBranch: branch,
    headSha,
    actorId: actor.user.id,
    inputs: input.inputs ?? {},
    status: input.status ?? "queued",
    conclusion: input.conclusion ?? null,
    createdAt: now,
    updatedAt: now,
    runStartedAt: now,
    checkSuiteId: world.ids.id(),
  };
  repo.workflowRuns.set(run.id, run);
  world.emit({
    kind: "workflow_run",
    action: "requested",
    repositoryId: repo.id,
    runId: run.id,
    senderId: actor.user.id,
  });
  if (run.status === "completed")
    world.emit({
      kind: "workflow_run",
      action: "completed",
      repositoryId: repo.id,
      runId: run.id,
      senderId: actor.user.id,
    });
  return ok(run);
}

/** Moves a run forward; emits `workflow_run.in_progress` or `.completed` when the status changes. */
export function setWorkflowRunStatus(
  world: WorldState,
  repo: RepositoryRecord,
  run: WorkflowRunRecord,
  status: "in_progress" | "completed",
  conclusion: WorkflowRunConclusion | null,
  actor: Actor,
): WorkflowRunRecord {
  const changed = run.status !== status;
  run.status = status;
  run.conclusion = status === "completed" ? (conclusion ?? "success") : null;
  run.updatedAt = world.now();
  if (changed)
    world.emit({
      kind: "workflow_run",
      action: status,
      repositoryId: repo.id,
      runId: run.id,
      senderId: actor.user.id,
    });
  return run;
}

const CONCLUSIONS = new Set([
  "success",
  "failure",
  "neutral",
  "cancelled",
  "skipped",
  "timed_out",
  "action_required",
  "stale",
]);

/** Runs newest first; `status` matches a status or (as on GitHub) a conclusion. */
export function listWorkflowRuns(
  repo: RepositoryRecord,
  workflowId: number,
  filter: {
    readonly status?: string;
    readonly branch?: string;
    readonly event?: string;
    readonly headSha?: string;
  },
): WorkflowRunRecord[] {
  return [...repo.workflowRuns.values()]
    .filter((run) => run.workflowId === workflowId)
    .filter(
      (run) =>
        filter.status === undefined ||
        (CONCLUSIONS.has(filter.status) ? run.conclusion === filter.status : run.status === filter.status),
    )
    .filter((run) => filter.branch === undefined || run.headBranch === filter.branch)
    .filter((run) => filter.event === undefined || run.event === filter.event)
    .filter((run) => filter.headSha === undefined || run.headSha === filter.headSha)
    .sort((a, b) => b.id - a.id);
}
