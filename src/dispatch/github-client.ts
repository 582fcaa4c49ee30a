import type { Octokit } from "@octokit/rest";

export interface GitHubClientOptions {
  readonly token: string;
  readonly baseUrl: string;
  readonly userAgent: string;
  /** Where a wait for GitHub's rate limits is said (default: nowhere). */
  readonly warn?: (message: string) => void;
  /** Tests only: the retry plugin's base wait (ms; default 1000, GitHub's own advice). */
  readonly retryAfterBaseMs?: number;
  /** Tries after a rate limit before giving up (default 2). */
  readonly rateLimitRetries?: number;
}

/**
 * The GitHub client mctl builds (the dispatcher's workflow launcher and run counts): Octokit with
 * @octokit/plugin-retry (5xx and network errors, a few times with growing waits; never 4xx such as
 * 404/422, which a launch reports as configuration) and @octokit/plugin-throttling (waits out
 * GitHub's primary and secondary rate limits, a bounded number of times, instead of failing the
 * cycle on the first 403/429). Loaded only by the commands that talk to GitHub.
 */
export async function githubClient(options: GitHubClientOptions): Promise<Octokit> {
  const [{ Octokit: Rest }, { retry }, { throttling }] = await Promise.all([
    import("@octokit/rest"),
    import("@octokit/plugin-retry"),
    import("@octokit/plugin-throttling"),
  ]);
  const Client = Rest.plugin(retry, throttling);
  const retries = options.rateLimitRetries ?? 2;
  const warn = options.warn ?? (() => {});
  const waitOrGiveUp =
    (kind: string) =>
    (
      retryAfter: number,
      request: { method?: string; url?: string },
      _octokit: unknown,
      retryCount: number,
    ) => {
      const again = retryCount < retries;
      warn(
        `GitHub's ${kind} rate limit on ${request.method ?? ""} ${request.url ?? ""}: ${again ? `waiting ${retryAfter} s` : "giving up"}`,
      );
      return again;
    };
  return new Client({
    auth: options.token,
    baseUrl: options.baseUrl,
    userAgent: options.userAgent,
    retry: { retryAfterBaseValue: options.retryAfterBaseMs ?? 1000 },
    throttle: { onRateLimit: waitOrGiveUp("primary"), onSecondaryRateLimit: waitOrGiveUp("secondary") },
  }) as unknown as Octokit;
}
