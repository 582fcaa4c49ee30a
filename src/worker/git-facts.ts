import { simpleGit } from "simple-git";
import type { GitFacts } from "./evidence.js";
import { GIT_COMPLETION, gitAt, remoteBranchSha } from "./git.js";

const MAX_DIRTY_PATHS = 20;

/**
 * Reads, from git only, what the evidence needs: HEAD, its branch, whether the tree is clean
 * (untracked files count; ignored files do not) and where the remote's ticket branch points
 * (`git ls-remote`, so a push is checked against the remote itself, not a local tracking ref).
 */
export async function collectGitFacts(options: {
  worktree: string;
  branch: string;
  baseSha: string;
  remote: string;
}): Promise<GitFacts> {
  const git = gitAt(options.worktree);
  const headSha = await git.raw(["rev-parse", "--verify", "HEAD"]);
  if (!headSha) throw new Error(`cannot read HEAD in ${options.worktree}`);
  const symbolic = await git.raw(["symbolic-ref", "-q", "HEAD"]).catch(() => "");
  const branch = symbolic.startsWith("refs/heads/") ? symbolic.slice("refs/heads/".length) : null;
  const dirtyPaths = parseStatus(
    await untrimmed(options.worktree).raw(["status", "--porcelain=v1", "-z", "--untracked-files=all"]),
  );
  const url = await git.raw(["remote", "get-url", options.remote]);
  // Checks the ticket branch on the remote, even if the agent pushed HEAD somewhere else.
  const remoteSha = await remoteBranchSha(git, options.remote, options.branch);
  return {
    headSha,
    branch,
    baseSha: options.baseSha,
    clean: dirtyPaths.length === 0,
    dirtyPaths: dirtyPaths.slice(0, MAX_DIRTY_PATHS),
    remote: { name: options.remote, url: redactCredentials(url) },
    remoteSha,
  };
}

/** A remote URL fit to store: `https://token@host/…` loses its credentials. */
export function redactCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = "";
    parsed.password = "";
    return parsed.toString();
  } catch {
    return url;
  }
}

/** `git status` output must keep its leading spaces ("XY path"), so no trimming here. */
function untrimmed(dir: string) {
  return simpleGit({ baseDir: dir, trimmed: false, completion: GIT_COMPLETION });
}

/** Paths of `git status --porcelain=v1 -z` entries; a rename's second path (its source) is skipped. */
export function parseStatus(output: string): string[] {
  const entries = output.split("\0");
  const paths: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] ?? "";
    if (entry.length < 4) continue;
    paths.push(entry.slice(3));
    if (entry[0] === "R" || entry[0] === "C") i++;
  }
  return paths;
}
