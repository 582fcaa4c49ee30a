/**
 * Who may read which repositories on the board and the JSON API. Every read route asks its
 * visibility: a ticket of another repository is a 404, lists are filtered in SQL.
 */
export interface Visibility {
  /** Who reads, for the log: `local`, `token:<name>` or `user:<login>` (never a credential). */
  readonly who: string;
  /**
   * null: every repository (the loopback UI listener, an unscoped API token). Otherwise the
   * repositories (`owner/name`) this reader may read, among `known` (the repositories with tickets).
   */
  readable(known: () => Promise<readonly string[]>): Promise<readonly string[] | null>;
  /** Whether this reader may read `repository`. */
  canRead(repository: string): Promise<boolean>;
}

/** Everything: the loopback UI listener, where whoever reaches 127.0.0.1 is trusted. */
export const EVERYTHING: Visibility = {
  who: "local",
  readable: async () => null,
  canRead: async () => true,
};

/** An API token's scope: its repositories (any case), or everything when it names none. */
export function tokenVisibility(name: string, repositories: readonly string[] | null): Visibility {
  if (repositories === null) return { ...EVERYTHING, who: `token:${name}` };
  const allowed = new Set(repositories.map((r) => r.toLowerCase()));
  return {
    who: `token:${name}`,
    readable: async () => [...repositories],
    canRead: async (repository) => allowed.has(repository.toLowerCase()),
  };
}

/** A signed-in person: each repository checked with their own user token (`canRead` caches it). */
export function userVisibility(login: string, canRead: (repository: string) => Promise<boolean>): Visibility {
  return {
    who: `user:${login}`,
    async readable(known) {
      const repositories = await known();
      const checks = await Promise.all(repositories.map(async (r) => ((await canRead(r)) ? r : null)));
      return checks.filter((r): r is string => r !== null);
    },
    canRead,
  };
}
