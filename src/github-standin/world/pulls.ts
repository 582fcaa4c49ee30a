import type { Actor } from "./actor.js";
import { ancestors } from "./commit-graph.js";
import { openIssue } from "./issues.js";
import { addCommit, setBranch } from "./repositories.js";
import { conflict, invalid, notFound, ok, type Result } from "./results.js";
import type { IssueRecord, RepositoryRecord } from "./types.js";
import type { WorldState } from "./world-state.js";

export type PullRequest = IssueRecord & { readonly pull: NonNullable<IssueRecord["pull"]> };

export const isPull = (issue: IssueRecord): issue is PullRequest => issue.pull !== null;

export interface PullInput {
  readonly head: string;
  readonly base?: string;
  readonly title: string;
  readonly body?: string | null;
  readonly draft?: boolean;
}

/** Opens a pull request from branch `head` into `base` (default branch when omitted). */
export function openPull(
  world: WorldState,
  repo: RepositoryRecord,
  input: PullInput,
  actor: Actor,
): Result<PullRequest> {
  const base = input.base ?? repo.defaultBranch;
  const headSha = repo.branches.get(input.head);
  const baseSha = repo.branches.get(base);
  if (!headSha) return invalid("PullRequest", "head", "invalid");
  if (!baseSha) return invalid("PullRequest", "base", "invalid");
  const issue = openIssue(world, repo, { title: input.title, body: input.body ?? null }, actor, {
    headRef: input.head,
    headSha,
    baseRef: base,
    baseShaAtOpen: baseSha,
    draft: input.draft ?? false,
    merged: false,
    mergedAt: null,
    mergedById: null,
    mergeCommitSha: null,
  });
  return ok(issue as PullRequest);
}

export function findPull(repo: RepositoryRecord, number: number): Result<PullRequest> {
  const issue = repo.issues.get(number);
  return issue && isPull(issue) ? ok(issue) : notFound("PullRequest");
}

/** Commits the pull request brings: head's ancestors that the base had not when it was opened. */
export function pullCommits(repo: RepositoryRecord, pull: PullRequest): Set<string> {
  const base = ancestors(repo.commits, pull.pull.baseShaAtOpen);
  return new Set([...ancestors(repo.commits, pull.pull.headSha)].filter((sha) => !base.has(sha)));
}

/**
 * Merges with a merge commit (parents: base tip, head), moves the base branch, closes the pull
 * request and emits `pull_request.closed` and `push`.
 */
export function mergePull(
  world: WorldState,
  repo: RepositoryRecord,
  pull: PullRequest,
  actor: Actor,
): Result<PullRequest> {
  if (pull.state !== "open") return conflict("Pull Request is not mergeable");
  const baseTip = repo.branches.get(pull.pull.baseRef);
  if (!baseTip) return notFound("Branch");
  const merge = addCommit(world, repo, {
    parents: [baseTip, pull.pull.headSha],
    message: `Merge pull request #${pull.number} from ${pull.pull.headRef}`,
    author: actor.user,
  });
  setBranch(repo, pull.pull.baseRef, merge.sha);
  repo.pushedAt = world.now();
  const now = world.now();
  Object.assign(pull.pull, {
    merged: true,
    mergedAt: now,
    mergedById: actor.user.id,
    mergeCommitSha: merge.sha,
  });
  Object.assign(pull, {
    state: "closed",
    stateReason: "completed",
    closedAt: now,
    closedById: actor.user.id,
    updatedAt: now,
  });
  world.emit({
    kind: "pull_request",
    action: "closed",
    repositoryId: repo.id,
    number: pull.number,
    senderId: actor.user.id,
  });
  world.emit({
    kind: "push",
    repositoryId: repo.id,
    ref: `refs/heads/${pull.pull.baseRef}`,
    before: baseTip,
    after: merge.sha,
    senderId: actor.user.id,
  });
  return ok(pull);
}

/** Closes without merging. */
export function closePull(
  world: WorldState,
  repo: RepositoryRecord,
  pull: PullRequest,
  actor: Actor,
): PullRequest {
  const now = world.now();
  Object.assign(pull, { state: "closed", closedAt: now, closedById: actor.user.id, updatedAt: now });
  world.emit({
    kind: "pull_request",
    action: "closed",
    repositoryId: repo.id,
    number: pull.number,
    senderId: actor.user.id,
  });
  return pull;
}

/**
 * Pull requests associated with a commit, as `GET /commits/{sha}/pulls` defines it: when the commit
 * is on the default branch, the merged pull requests that introduced it; otherwise open and merged
 * ones that contain it.
 */
export function pullsForCommit(repo: RepositoryRecord, sha: string): PullRequest[] {
  const defaultTip = repo.branches.get(repo.defaultBranch);
  const onDefault = defaultTip !== undefined && ancestors(repo.commits, defaultTip).has(sha);
  return [...repo.issues.values()].filter(isPull).filter((pull) => {
    const contains = pull.pull.mergeCommitSha === sha || pullCommits(repo, pull).has(sha);
    if (!contains) return false;
    return onDefault ? pull.pull.merged : pull.state === "open" || pull.pull.merged;
  });
}
