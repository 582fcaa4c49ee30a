import type { Actor } from "./actor.js";
import { invalid, ok, type Result } from "./results.js";
import type { CommitState, RepositoryRecord, StatusRecord } from "./types.js";
import type { WorldState } from "./world-state.js";

export interface StatusInput {
  readonly sha: string;
  readonly state: CommitState;
  readonly context?: string;
  readonly description?: string | null;
  readonly targetUrl?: string | null;
}

/** Records a commit status (statuses are append-only; the latest per context wins). Emits `status`. */
export function createStatus(
  world: WorldState,
  repo: RepositoryRecord,
  input: StatusInput,
  actor: Actor,
): Result<StatusRecord> {
  if (!repo.commits.has(input.sha))
    return invalid("Status", "sha", "invalid", `No commit found for SHA: ${input.sha}`);
  const status: StatusRecord = {
    id: world.ids.id(),
    sha: input.sha,
    state: input.state,
    context: input.context ?? "default",
    description: input.description ?? null,
    targetUrl: input.targetUrl ?? null,
    creatorId: actor.user.id,
    createdAt: world.now(),
  };
  repo.statuses.push(status);
  world.emit({ kind: "status", repositoryId: repo.id, statusId: status.id, senderId: actor.user.id });
  return ok(status);
}

/** All statuses for a commit, newest first. */
export function statusesFor(repo: RepositoryRecord, sha: string): StatusRecord[] {
  return repo.statuses.filter((status) => status.sha === sha).sort((a, b) => b.id - a.id);
}

/**
 * GitHub's combined status: the latest status per context; `failure` if any is error or failure,
 * otherwise `pending` if any is pending or there are none, otherwise `success`.
 */
export function combinedStatus(
  repo: RepositoryRecord,
  sha: string,
): { state: CommitState; latest: StatusRecord[] } {
  const latest = new Map<string, StatusRecord>();
  for (const status of statusesFor(repo, sha))
    if (!latest.has(status.context)) latest.set(status.context, status);
  const states = [...latest.values()].map((status) => status.state);
  const state: CommitState = states.some((s) => s === "error" || s === "failure")
    ? "failure"
    : states.length === 0 || states.includes("pending")
      ? "pending"
      : "success";
  return { state, latest: [...latest.values()] };
}
