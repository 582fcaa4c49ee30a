import type { RepositoryRecord } from "./types.js";

/**
 * Which branches have branch protection (or a ruleset), per repository: the stand-in models only
 * the flag `GET /repos/{o}/{r}/branches/{branch}` answers as `protected`, not the rules themselves.
 */
const protectedBranches = new WeakMap<RepositoryRecord, Set<string>>();

export function setBranchProtected(repo: RepositoryRecord, branch: string, on: boolean): void {
  let set = protectedBranches.get(repo);
  if (!set) {
    set = new Set();
    protectedBranches.set(repo, set);
  }
  if (on) set.add(branch);
  else set.delete(branch);
}

export function isBranchProtected(repo: RepositoryRecord, branch: string): boolean {
  return protectedBranches.get(repo)?.has(branch) ?? false;
}
