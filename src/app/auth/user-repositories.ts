/**
 * Whether a signed-in person can read a repository, asked of GitHub with their own user token
 * (`GET /repos/{owner}/{repo}`: 200 readable, 404 not), cached for `ttlMs` per token and repository.
 */
export function userReadAccess(options: {
  readonly apiUrl: string;
  readonly now: () => number;
  readonly ttlMs?: number;
  readonly max?: number;
}): (token: string, repository: string) => Promise<boolean> {
  const ttlMs = options.ttlMs ?? 60_000;
  const max = options.max ?? 10_000;
  const cache = new Map<string, { readonly readable: boolean; readonly at: number }>();
  return async (token, repository) => {
    const key = `${token}\n${repository.toLowerCase()}`;
    const hit = cache.get(key);
    const now = options.now();
    if (hit && now - hit.at < ttlMs) return hit.readable;
    const [owner = "", name = ""] = repository.split("/");
    const res = await fetch(
      `${options.apiUrl}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`,
      {
        headers: {
          authorization: `Bearer ${token}`,
          accept: "application/vnd.github+json",
          "x-github-api-version": "2022-11-28",
        },
        signal: AbortSignal.timeout(10_000),
      },
    );
    await res.body?.cancel();
    // 401 (a revoked token), 403/429 (a rate limit) and 5xx are not answers about the repository:
    // nothing is cached, and the request fails instead of showing an empty board for a minute.
    if (res.status !== 200 && res.status !== 404)
      throw new Error(`GitHub answered ${res.status} to GET /repos/${repository} with the user's token`);
    const readable = res.status === 200;
    cache.delete(key);
    cache.set(key, { readable, at: now });
    if (cache.size > max) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
    return readable;
  };
}
