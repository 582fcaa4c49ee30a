import { isoTime } from "../world/clock.js";
import { commentsOf } from "../world/comments.js";
import { nodeId } from "../world/ids.js";
import { permissionOf } from "../world/repositories.js";
import type {
  IssueRecord,
  LabelRecord,
  ReactionRecord,
  RepositoryRecord,
  UserRecord,
} from "../world/types.js";
import { presentAppById } from "./apps.js";
import { repoApiUrl, repoHtmlUrl } from "./repositories.js";
import { presentUser, presentUserById } from "./users.js";
import type { Json, JsonObject, View } from "./view.js";

export function presentLabel(view: View, repo: RepositoryRecord, label: LabelRecord): JsonObject {
  return {
    id: label.id,
    node_id: nodeId("LA", label.id),
    url: `${repoApiUrl(view, repo)}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    color: label.color,
    default: label.isDefault,
    description: label.description,
  };
}

/** How GitHub describes the author's relation to the repository. */
export function authorAssociation(repo: RepositoryRecord, user: UserRecord): string {
  if (user.id === repo.ownerId) return "OWNER";
  if (user.type === "Bot") return "NONE";
  return permissionOf(repo, user) === "none" ? "NONE" : "COLLABORATOR";
}

/** "Reaction Rollup": counts per content. */
export function presentReactionRollup(url: string, reactions: readonly ReactionRecord[]): JsonObject {
  const count = (content: string) => reactions.filter((r) => r.content === content).length;
  return {
    url,
    total_count: reactions.length,
    "+1": count("+1"),
    "-1": count("-1"),
    laugh: count("laugh"),
    hooray: count("hooray"),
    confused: count("confused"),
    heart: count("heart"),
    rocket: count("rocket"),
    eyes: count("eyes"),
  };
}

/** The issue (or pull request as an issue), in the shape shared by REST and webhooks. */
export function presentIssue(view: View, repo: RepositoryRecord, issue: IssueRecord): JsonObject {
  const api = `${repoApiUrl(view, repo)}/issues/${issue.number}`;
  const html = `${repoHtmlUrl(view, repo)}/${issue.pull ? "pull" : "issues"}/${issue.number}`;
  const author = view.world.requireUser(issue.userId);
  const labels: Json[] = issue.labelIds.flatMap((id) => {
    const label = repo.labels.get(id);
    return label ? [presentLabel(view, repo, label)] : [];
  });
  const assignees = issue.assigneeIds.map((id) => presentUser(view, view.world.requireUser(id)));
  const presented: JsonObject = {
    url: api,
    repository_url: repoApiUrl(view, repo),
    labels_url: `${api}/labels{/name}`,
    comments_url: `${api}/comments`,
    events_url: `${api}/events`,
    html_url: html,
    id: issue.id,
    node_id: nodeId(issue.pull ? "PR" : "I", issue.id),
    number: issue.number,
    title: issue.title,
    user: presentUser(view, author),
    labels,
    state: issue.state,
    locked: issue.locked,
    assignee: assignees[0] ?? null,
    assignees,
    milestone: null,
    comments: commentsOf(repo, issue.number).length,
    created_at: isoTime(issue.createdAt),
    updated_at: isoTime(issue.updatedAt),
    closed_at: issue.closedAt === null ? null : isoTime(issue.closedAt),
    author_association: authorAssociation(repo, author),
    active_lock_reason: null,
    body: issue.body,
    reactions: presentReactionRollup(`${api}/reactions`, []),
    timeline_url: `${api}/timeline`,
    performed_via_github_app: presentAppById(view, issue.viaAppId),
    state_reason: issue.stateReason,
  };
  if (issue.pull) {
    const pullApi = `${repoApiUrl(view, repo)}/pulls/${issue.number}`;
    presented.draft = issue.pull.draft;
    presented.pull_request = {
      url: pullApi,
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      merged_at: issue.pull.mergedAt === null ? null : isoTime(issue.pull.mergedAt),
    };
  }
  return presented;
}

/** `closed_by` is a REST-only field (webhook issues may not carry it). */
export function presentRestIssue(view: View, repo: RepositoryRecord, issue: IssueRecord): JsonObject {
  return { ...presentIssue(view, repo, issue), closed_by: presentUserById(view, issue.closedById) };
}
