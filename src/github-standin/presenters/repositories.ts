import { isoTime } from "../world/clock.js";
import { nodeId } from "../world/ids.js";
import type { RepositoryRecord } from "../world/types.js";
import { presentUser } from "./users.js";
import type { JsonObject, View } from "./view.js";

/** The repository's API URL, e.g. `http://127.0.0.1:PORT/repos/acme/widgets`. */
export function repoApiUrl(view: View, repo: RepositoryRecord): string {
  return `${view.urls.api}/repos/${view.world.fullName(repo)}`;
}

export function repoHtmlUrl(view: View, repo: RepositoryRecord): string {
  return `${view.urls.html}/${view.world.fullName(repo)}`;
}

/** The link fields every repository shape shares ("Minimal Repository" without counts). */
function repositoryLinks(view: View, repo: RepositoryRecord): JsonObject {
  const api = repoApiUrl(view, repo);
  const fullName = view.world.fullName(repo);
  return {
    id: repo.id,
    node_id: nodeId("R", repo.id),
    name: repo.name,
    full_name: fullName,
    private: repo.private,
    owner: presentUser(view, view.world.requireUser(repo.ownerId)),
    html_url: repoHtmlUrl(view, repo),
    description: repo.description,
    fork: false,
    url: api,
    forks_url: `${api}/forks`,
    keys_url: `${api}/keys{/key_id}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    teams_url: `${api}/teams`,
    hooks_url: `${api}/hooks`,
    issue_events_url: `${api}/issues/events{/number}`,
    events_url: `${api}/events`,
    assignees_url: `${api}/assignees{/user}`,
    branches_url: `${api}/branches{/branch}`,
    tags_url: `${api}/tags`,
    blobs_url: `${api}/git/blobs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    trees_url: `${api}/git/trees{/sha}`,
    statuses_url: `${api}/statuses/{sha}`,
    languages_url: `${api}/languages`,
    stargazers_url: `${api}/stargazers`,
    contributors_url: `${api}/contributors`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    commits_url: `${api}/commits{/sha}`,
    git_commits_url: `${api}/git/commits{/sha}`,
    comments_url: `${api}/comments{/number}`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    contents_url: `${api}/contents/{+path}`,
    compare_url: `${api}/compare/{base}...{head}`,
    merges_url: `${api}/merges`,
    archive_url: `${api}/{archive_format}{/ref}`,
    downloads_url: `${api}/downloads`,
    issues_url: `${api}/issues{/number}`,
    pulls_url: `${api}/pulls{/number}`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    labels_url: `${api}/labels{/name}`,
    releases_url: `${api}/releases{/id}`,
    deployments_url: `${api}/deployments`,
  };
}

/** "Minimal Repository", used inside combined statuses and similar listings. */
export function presentMinimalRepository(view: View, repo: RepositoryRecord): JsonObject {
  return repositoryLinks(view, repo);
}

/**
 * The repository as webhooks carry it (the webhook schema forbids unknown properties, so this is
 * the common part; the REST shape adds counts and the caller's permissions).
 */
export function presentRepository(view: View, repo: RepositoryRecord): JsonObject {
  const api = repoApiUrl(view, repo);
  const host = new URL(view.urls.html).host;
  const fullName = view.world.fullName(repo);
  const openIssues = [...repo.issues.values()].filter((issue) => issue.state === "open").length;
  return {
    ...repositoryLinks(view, repo),
    created_at: isoTime(repo.createdAt),
    updated_at: isoTime(repo.updatedAt),
    pushed_at: isoTime(repo.pushedAt),
    git_url: `git://${host}/${fullName}.git`,
    ssh_url: `git@${host}:${fullName}.git`,
    clone_url: `${repoHtmlUrl(view, repo)}.git`,
    svn_url: repoHtmlUrl(view, repo),
    homepage: null,
    size: 0,
    stargazers_count: 0,
    watchers_count: 0,
    language: null,
    has_issues: true,
    has_projects: false,
    has_downloads: true,
    has_wiki: false,
    has_pages: false,
    has_discussions: false,
    forks_count: 0,
    mirror_url: null,
    archived: false,
    disabled: false,
    open_issues_count: openIssues,
    license: null,
    allow_forking: true,
    is_template: false,
    web_commit_signoff_required: false,
    topics: [],
    visibility: repo.private ? "private" : "public",
    forks: 0,
    open_issues: openIssues,
    watchers: 0,
    default_branch: repo.defaultBranch,
    custom_properties: {},
    hooks_url: `${api}/hooks`,
  };
}

/** "Full Repository" as `GET /repos/{owner}/{repo}` returns it. */
export function presentFullRepository(
  view: View,
  repo: RepositoryRecord,
  permissions: JsonObject | null,
): JsonObject {
  const full: JsonObject = { ...presentRepository(view, repo), network_count: 0, subscribers_count: 0 };
  if (permissions) full.permissions = permissions;
  return full;
}
