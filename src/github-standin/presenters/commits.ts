import { isoTime } from "../world/clock.js";
import { nodeId } from "../world/ids.js";
import type { CommitRecord, GitIdentity, RepositoryRecord } from "../world/types.js";
import { repoApiUrl, repoHtmlUrl } from "./repositories.js";
import { presentUser } from "./users.js";
import type { JsonObject, View } from "./view.js";

const gitUser = (identity: GitIdentity): JsonObject => ({
  name: identity.name,
  email: identity.email,
  date: isoTime(identity.date),
});

/** "Commit" as `GET /commits/{ref}` and the `commits` of a comparison show it. */
export function presentCommit(view: View, repo: RepositoryRecord, commit: CommitRecord): JsonObject {
  const api = repoApiUrl(view, repo);
  const account = commit.authorLogin ? view.world.userByLogin(commit.authorLogin) : undefined;
  const user = account ? presentUser(view, account) : null;
  return {
    url: `${api}/commits/${commit.sha}`,
    sha: commit.sha,
    node_id: nodeId("C", commit.sha),
    html_url: `${repoHtmlUrl(view, repo)}/commit/${commit.sha}`,
    comments_url: `${api}/commits/${commit.sha}/comments`,
    commit: {
      url: `${api}/git/commits/${commit.sha}`,
      author: gitUser(commit.author),
      committer: gitUser(commit.committer),
      message: commit.message,
      comment_count: 0,
      tree: { sha: commit.treeSha, url: `${api}/git/trees/${commit.treeSha}` },
      verification: {
        verified: false,
        reason: "unsigned",
        signature: null,
        payload: null,
        verified_at: null,
      },
    },
    author: user,
    committer: user,
    parents: commit.parents.map((sha) => ({
      sha,
      url: `${api}/commits/${sha}`,
      html_url: `${repoHtmlUrl(view, repo)}/commit/${sha}`,
    })),
  };
}

/** A commit with its file changes against the first parent, as `GET /commits/{ref}` adds them. */
export function presentCommitWithFiles(view: View, repo: RepositoryRecord, commit: CommitRecord): JsonObject {
  const parent = commit.parents[0] ? repo.commits.get(commit.parents[0]) : undefined;
  const files = changedFiles(view, repo, parent, commit);
  return {
    ...presentCommit(view, repo, commit),
    stats: { total: files.length, additions: 0, deletions: 0 },
    files,
  };
}

/**
 * "Diff Entry"s between two commits' snapshots (line counts are not modelled and stay 0). `sha` is
 * git's blob id of the file after the change (of the deleted content for a removed file).
 */
export function changedFiles(
  view: View,
  repo: RepositoryRecord,
  before: CommitRecord | undefined,
  after: CommitRecord,
): JsonObject[] {
  const was = before?.blobShas ?? new Map<string, string>();
  const paths = new Set([...was.keys(), ...after.blobShas.keys()]);
  const entries: JsonObject[] = [];
  for (const path of [...paths].sort()) {
    const old = was.get(path);
    const now = after.blobShas.get(path);
    if (old === now) continue;
    const status = old === undefined ? "added" : now === undefined ? "removed" : "modified";
    entries.push({
      sha: now ?? old ?? null,
      filename: path,
      status,
      additions: 0,
      deletions: 0,
      changes: 0,
      blob_url: `${repoHtmlUrl(view, repo)}/blob/${after.sha}/${path}`,
      raw_url: `${repoHtmlUrl(view, repo)}/raw/${after.sha}/${path}`,
      contents_url: `${repoApiUrl(view, repo)}/contents/${path}?ref=${after.sha}`,
    });
  }
  return entries;
}

/** The `head_commit` of workflow runs ("Simple Commit"). */
export function presentSimpleCommit(commit: CommitRecord): JsonObject {
  return {
    id: commit.sha,
    tree_id: commit.treeSha,
    message: commit.message,
    timestamp: isoTime(commit.committer.date),
    author: { name: commit.author.name, email: commit.author.email },
    committer: { name: commit.committer.name, email: commit.committer.email },
  };
}
