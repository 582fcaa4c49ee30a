import type { Octokit } from "@octokit/rest";
import { type PermissionLevel, permissionLevelOf } from "./permission.js";

/** A commenter's level on a repository, looked up with GitHub's "repository permissions for a user". */
export type PermissionLookup = (
  octokit: Octokit,
  repository: string,
  login: string,
) => Promise<PermissionLevel>;

/**
 * One GitHub request per lookup, no cache (the default when no cache is given). A 404 (no such
 * user, or a repository the installation cannot see, such as a missing control repository) is
 * `none`: nobody gets a permission from a repository that is not there.
 */
export const lookupPermission: PermissionLookup = async (octokit, repository, login) => {
  const [owner = "", repo = ""] = repository.split("/");
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({
      owner,
      repo,
      username: login,
    });
    return permissionLevelOf(data);
  } catch (error) {
    if ((error as { status?: unknown }).status === 404) return "none";
    throw error;
  }
};

/**
 * Permission levels kept for `ttlMs` (default one minute) per repository and login, any case: a
 * burst of `/mc` comments from one person (or an outsider's spam) costs one request per minute.
 * A revoked permission therefore takes up to `ttlMs` to count; the cache holds at most `max`
 * entries (the oldest go first). In memory: each app replica has its own.
 */
export function cachedPermissions(options: {
  readonly now: () => number;
  readonly ttlMs?: number;
  readonly max?: number;
  readonly lookup?: PermissionLookup;
}): PermissionLookup {
  const ttlMs = options.ttlMs ?? 60_000;
  const max = options.max ?? 10_000;
  const lookup = options.lookup ?? lookupPermission;
  const entries = new Map<string, { readonly level: PermissionLevel; readonly at: number }>();
  return async (octokit, repository, login) => {
    const key = `${repository.toLowerCase()}\n${login.toLowerCase()}`;
    const now = options.now();
    const hit = entries.get(key);
    if (hit && now - hit.at < ttlMs) return hit.level;
    const level = await lookup(octokit, repository, login);
    entries.delete(key);
    entries.set(key, { level, at: now });
    if (entries.size > max) {
      const oldest = entries.keys().next().value;
      if (oldest !== undefined) entries.delete(oldest);
    }
    return level;
  };
}
