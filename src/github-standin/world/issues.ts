import type { Actor } from "./actor.js";
import { findLabel, labelsByName } from "./labels.js";
import { notFound, ok, type Result } from "./results.js";
import type { IssueRecord, PullRequestInfo, RepositoryRecord } from "./types.js";
import type { WorldState } from "./world-state.js";

export interface IssueInput {
  readonly title: string;
  readonly body?: string | null;
  readonly labels?: readonly string[];
  readonly assignees?: readonly string[];
}

/** Opens an issue (or, with `pull`, a pull request: they share the number sequence). */
export function openIssue(
  world: WorldState,
  repo: RepositoryRecord,
  input: IssueInput,
  actor: Actor,
  pull: PullRequestInfo | null = null,
): IssueRecord {
  const now = world.now();
  const issue: IssueRecord = {
    id: world.ids.id(),
    number: repo.nextIssueNumber++,
    title: input.title,
    body: input.body ?? null,
    state: "open",
    stateReason: null,
    userId: actor.user.id,
    labelIds: labelsByName(world, repo, input.labels ?? []).map((label) => label.id),
    assigneeIds: (input.assignees ?? []).flatMap((login) => world.userByLogin(login)?.id ?? []),
    locked: false,
    createdAt: now,
    updatedAt: now,
    closedAt: null,
    closedById: null,
    viaAppId: actor.viaAppId,
    pull,
  };
  repo.issues.set(issue.number, issue);
  if (pull) {
    world.emit({
      kind: "pull_request",
      action: "opened",
      repositoryId: repo.id,
      number: issue.number,
      senderId: actor.user.id,
    });
  } else {
    world.emit({
      kind: "issues",
      action: "opened",
      repositoryId: repo.id,
      issueNumber: issue.number,
      senderId: actor.user.id,
    });
  }
  return issue;
}

export function findIssue(repo: RepositoryRecord, number: number): Result<IssueRecord> {
  const issue = repo.issues.get(number);
  return issue ? ok(issue) : notFound("Issue");
}

export interface IssueChanges {
  readonly title?: string;
  readonly body?: string | null;
  readonly state?: "open" | "closed";
  readonly stateReason?: "completed" | "not_planned" | "reopened" | null;
  readonly labels?: readonly string[];
  readonly assignees?: readonly string[];
}

/** Applies an update, emitting `edited`, `closed`/`reopened` and `labeled`/`unlabeled` as GitHub does. */
export function updateIssue(
  world: WorldState,
  repo: RepositoryRecord,
  issue: IssueRecord,
  changes: IssueChanges,
  actor: Actor,
): IssueRecord {
  const base = { repositoryId: repo.id, issueNumber: issue.number, senderId: actor.user.id } as const;
  const edited: { title?: { from: string }; body?: { from: string | null } } = {};
  if (changes.title !== undefined && changes.title !== issue.title) {
    edited.title = { from: issue.title };
    issue.title = changes.title;
  }
  if (changes.body !== undefined && changes.body !== issue.body) {
    edited.body = { from: issue.body };
    issue.body = changes.body;
  }
  issue.updatedAt = world.now();
  if (edited.title || edited.body) world.emit({ kind: "issues", action: "edited", ...base, changes: edited });
  if (changes.assignees !== undefined) {
    issue.assigneeIds = changes.assignees.flatMap((login) => world.userByLogin(login)?.id ?? []);
  }
  if (changes.labels !== undefined) setIssueLabels(world, repo, issue, changes.labels, actor);
  if (changes.state === "closed" && issue.state === "open") {
    issue.state = "closed";
    issue.stateReason = changes.stateReason === "not_planned" ? "not_planned" : "completed";
    issue.closedAt = world.now();
    issue.closedById = actor.user.id;
    world.emit({ kind: "issues", action: "closed", ...base });
  } else if (changes.state === "open" && issue.state === "closed") {
    issue.state = "open";
    issue.stateReason = "reopened";
    issue.closedAt = null;
    issue.closedById = null;
    world.emit({ kind: "issues", action: "reopened", ...base });
  }
  return issue;
}

/** Adds labels (creating unknown names); emits one `labeled` per label that was not there yet. */
export function addIssueLabels(
  world: WorldState,
  repo: RepositoryRecord,
  issue: IssueRecord,
  names: readonly string[],
  actor: Actor,
): void {
  for (const label of labelsByName(world, repo, names)) {
    if (issue.labelIds.includes(label.id)) continue;
    issue.labelIds.push(label.id);
    issue.updatedAt = world.now();
    world.emit({
      kind: "issues",
      action: "labeled",
      repositoryId: repo.id,
      issueNumber: issue.number,
      senderId: actor.user.id,
      labelId: label.id,
    });
  }
}

/** Removes a label by name; not_found when the issue does not carry it (GitHub answers 404). */
export function removeIssueLabel(
  world: WorldState,
  repo: RepositoryRecord,
  issue: IssueRecord,
  name: string,
  actor: Actor,
): Result<void> {
  const label = findLabel(repo, name);
  if (!label || !issue.labelIds.includes(label.id)) return notFound("Label");
  issue.labelIds = issue.labelIds.filter((id) => id !== label.id);
  issue.updatedAt = world.now();
  world.emit({
    kind: "issues",
    action: "unlabeled",
    repositoryId: repo.id,
    issueNumber: issue.number,
    senderId: actor.user.id,
    labelId: label.id,
  });
  return ok(undefined);
}

/** Replaces the issue's labels, emitting `unlabeled` for removed and `labeled` for added ones. */
export function setIssueLabels(
  world: WorldState,
  repo: RepositoryRecord,
  issue: IssueRecord,
  names: readonly string[],
  actor: Actor,
): void {
  const wanted = labelsByName(world, repo, names);
  const wantedIds = new Set(wanted.map((label) => label.id));
  for (const id of [...issue.labelIds]) {
    const label = repo.labels.get(id);
    if (label && !wantedIds.has(id)) removeIssueLabel(world, repo, issue, label.name, actor);
  }
  addIssueLabels(
    world,
    repo,
    issue,
    wanted.map((label) => label.name),
    actor,
  );
}
