import { isoTime } from "../world/clock.js";
import { commentsOf } from "../world/comments.js";
import { nodeId } from "../world/ids.js";
import { type PullRequest, pullCommits } from "../world/pulls.js";
import type { RepositoryRecord } from "../world/types.js";
import { authorAssociation, presentLabel } from "./issues.js";
import { presentRepository, repoApiUrl, repoHtmlUrl } from "./repositories.js";
import { presentUser, presentUserById } from "./users.js";
import type { Json, JsonObject, View } from "./view.js";

/** "Pull Request" (REST `pulls/get`, list items and the webhook `pull_request`). */
export function presentPull(view: View, repo: RepositoryRecord, pull: PullRequest): JsonObject {
  const api = `${repoApiUrl(view, repo)}/pulls/${pull.number}`;
  const issueApi = `${repoApiUrl(view, repo)}/issues/${pull.number}`;
  const html = `${repoHtmlUrl(view, repo)}/pull/${pull.number}`;
  const owner = view.world.requireUser(repo.ownerId);
  const author = view.world.requireUser(pull.userId);
  const repository = presentRepository(view, repo);
  const side = (ref: string, sha: string): JsonObject => ({
    label: `${owner.login}:${ref}`,
    ref,
    sha,
    user: presentUser(view, owner),
    repo: repository,
  });
  const link = (href: string): JsonObject => ({ href });
  const assignees = pull.assigneeIds.map((id) => presentUser(view, view.world.requireUser(id)));
  const labels: Json[] = pull.labelIds.flatMap((id) => {
    const label = repo.labels.get(id);
    return label ? [presentLabel(view, repo, label)] : [];
  });
  const baseSha = repo.branches.get(pull.pull.baseRef) ?? pull.pull.baseShaAtOpen;
  return {
    url: api,
    id: pull.id,
    node_id: nodeId("PR", pull.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issueApi,
    number: pull.number,
    state: pull.state,
    locked: pull.locked,
    title: pull.title,
    user: presentUser(view, author),
    body: pull.body,
    created_at: isoTime(pull.createdAt),
    updated_at: isoTime(pull.updatedAt),
    closed_at: pull.closedAt === null ? null : isoTime(pull.closedAt),
    merged_at: pull.pull.mergedAt === null ? null : isoTime(pull.pull.mergedAt),
    merge_commit_sha: pull.pull.mergeCommitSha,
    assignee: assignees[0] ?? null,
    assignees,
    requested_reviewers: [],
    requested_teams: [],
    labels,
    milestone: null,
    draft: pull.pull.draft,
    commits_url: `${api}/commits`,
    review_comments_url: `${api}/comments`,
    review_comment_url: `${repoApiUrl(view, repo)}/pulls/comments{/number}`,
    comments_url: `${issueApi}/comments`,
    statuses_url: `${repoApiUrl(view, repo)}/statuses/${pull.pull.headSha}`,
    head: side(pull.pull.headRef, pull.pull.headSha),
    base: side(pull.pull.baseRef, baseSha),
    _links: {
      self: link(api),
      html: link(html),
      issue: link(issueApi),
      comments: link(`${issueApi}/comments`),
      review_comments: link(`${api}/comments`),
      review_comment: link(`${repoApiUrl(view, repo)}/pulls/comments{/number}`),
      commits: link(`${api}/commits`),
      statuses: link(`${repoApiUrl(view, repo)}/statuses/${pull.pull.headSha}`),
    },
    author_association: authorAssociation(repo, author),
    auto_merge: null,
    active_lock_reason: null,
    merged: pull.pull.merged,
    mergeable: pull.state === "open" ? true : null,
    rebaseable: pull.state === "open" ? true : null,
    mergeable_state: pull.state === "open" ? "clean" : "unknown",
    merged_by: presentUserById(view, pull.pull.mergedById),
    comments: commentsOf(repo, pull.number).length,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: pullCommits(repo, pull).size,
    additions: 0,
    deletions: 0,
    changed_files: 0,
  };
}

/** The "Pull Request Minimal" entries of check runs and workflow runs. */
export function presentPullMinimal(view: View, repo: RepositoryRecord, pull: PullRequest): JsonObject {
  const repoRef = { id: repo.id, url: repoApiUrl(view, repo), name: repo.name };
  return {
    id: pull.id,
    number: pull.number,
    url: `${repoApiUrl(view, repo)}/pulls/${pull.number}`,
    head: { ref: pull.pull.headRef, sha: pull.pull.headSha, repo: repoRef },
    base: {
      ref: pull.pull.baseRef,
      sha: repo.branches.get(pull.pull.baseRef) ?? pull.pull.baseShaAtOpen,
      repo: repoRef,
    },
  };
}
