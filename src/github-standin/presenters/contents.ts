import type { CommitRecord, RepositoryRecord } from "../world/types.js";
import { repoApiUrl, repoHtmlUrl } from "./repositories.js";
import type { JsonObject, View } from "./view.js";

function links(
  view: View,
  repo: RepositoryRecord,
  commit: CommitRecord,
  path: string,
  type: "file" | "dir",
): JsonObject {
  const self = `${repoApiUrl(view, repo)}/contents/${path}?ref=${commit.sha}`;
  const html = `${repoHtmlUrl(view, repo)}/${type === "dir" ? "tree" : "blob"}/${commit.sha}/${path}`;
  // git's ids, computed from the content when the commit was made: the same file reads the same.
  const sha = (type === "dir" ? commit.treeShas.get(path) : commit.blobShas.get(path)) ?? "";
  const git = `${repoApiUrl(view, repo)}/git/${type === "dir" ? "trees" : "blobs"}/${sha}`;
  return {
    name: path.split("/").at(-1) ?? path,
    path,
    sha,
    url: self,
    git_url: git,
    html_url: html,
    download_url: type === "dir" ? null : `${repoHtmlUrl(view, repo)}/raw/${commit.sha}/${path}`,
    _links: { self, git, html },
  };
}

/** "Content File": the file base64-encoded, with GitHub's 60-column line breaks. */
export function presentFile(
  view: View,
  repo: RepositoryRecord,
  commit: CommitRecord,
  path: string,
  content: string,
): JsonObject {
  const encoded = Buffer.from(content, "utf8")
    .toString("base64")
    .replace(/(.{60})/g, "$1\n");
  return {
    type: "file",
    encoding: "base64",
    size: Buffer.byteLength(content, "utf8"),
    ...links(view, repo, commit, path, "file"),
    content: encoded.endsWith("\n") || encoded === "" ? encoded : `${encoded}\n`,
  };
}

/** A directory listing entry ("Content Directory" item). */
export function presentDirectoryEntry(
  view: View,
  repo: RepositoryRecord,
  commit: CommitRecord,
  entry: { path: string; type: "file" | "dir" },
): JsonObject {
  const size = entry.type === "file" ? Buffer.byteLength(commit.files.get(entry.path) ?? "", "utf8") : 0;
  return { type: entry.type, size, ...links(view, repo, commit, entry.path, entry.type) };
}
