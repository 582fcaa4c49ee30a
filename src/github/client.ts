/**
 * How every Octokit Mission Control builds talks to GitHub: @octokit/plugin-retry (5xx and dropped
 * connections, a few tries with growing waits; never a 4xx such as 404/422, which callers report as
 * configuration) and @octokit/plugin-throttling (GitHub's pacing of content writes, and waiting out
 * primary and secondary rate limits a bounded number of times, said in the log, instead of failing on
 * the first 403/429). A wait longer than `maxRateLimitWaitSeconds` is not sat out in the request:
 * the error goes to the caller, whose durable queue (the mirror, the command and re-evaluation
 * workers) tries again after GitHub's `retry-after` (src/app/mirror/retry.ts).
 *
 * Two shapes, one policy: `githubClient` for a token (mctl's dispatcher, `mctl evidence verify`,
 * the report job's draft pull request, sign-in), `probotOctokitDefaults` for the app's
 * ProbotOctokit (`ProbotOctokit.defaults(...)`: Probot builds the JWT and installation clients).
 * Loaded only by what talks to GitHub (`mctl --version` never imports Octokit).
 */
import type { ThrottlingOptions } from "@octokit/plugin-throttling";
import type { Octokit } from "@octokit/rest";

export interface RequestPolicy {
  /** Where a rate-limit wait (or giving up) is said; the detail has method, url, kind, wait. */
  readonly warn?: (message: string, detail: RateLimitDetail) => void;
  /** Waits per request for a rate limit before giving up (default 2). */
  readonly rateLimitRetries?: number;
  /** The longest rate-limit wait sat out inside a request, in seconds (default 60). */
  readonly maxRateLimitWaitSeconds?: number;
  /**
   * Milliseconds per second of wait (default 1000): plugin-retry's base back-off and
   * plugin-throttling's multiplier of `retry-after`. Tests set it small; nothing else should.
   */
  readonly retryAfterBaseMs?: number;
  /**
   * GitHub's client-side pacing of content writes (one write a second, one issue or comment every
   * three), which GitHub asks of every client (default on). Off only against the local stand-in
   * (the demo), which does not enforce it; rate-limit waits and retries stay on either way.
   */
  readonly pacing?: boolean;
}

export type RateLimitDetail = {
  readonly kind: "primary" | "secondary";
  readonly method: string;
  readonly url: string;
  readonly waitSeconds: number;
  readonly retried: boolean;
};

export interface GitHubClientOptions extends RequestPolicy {
  /** A token (installation, GITHUB_TOKEN, a user's); none for unauthenticated requests. */
  readonly token?: string;
  readonly baseUrl: string;
  readonly userAgent: string;
  /** Octokit's own log (default: the console's warn and error). */
  readonly log?: {
    readonly debug: (message: string) => void;
    readonly info: (message: string) => void;
    readonly warn: (message: string) => void;
    readonly error: (message: string) => void;
  };
}

type LimitHandler = (
  retryAfter: number,
  request: { method?: string; url?: string },
  octokit: unknown,
  retryCount: number,
) => boolean;

/**
 * No pacing: plugin-throttling's per-kind Bottleneck groups (writes, notifications, searches),
 * replaced by one that runs each job at once; the plugin only calls `key(id).schedule(job, task)`.
 */
const UNPACED = {
  key: () => ({
    schedule: <A extends unknown[], R>(_job: unknown, task: (...args: A) => R, ...args: A) => task(...args),
  }),
} as unknown as NonNullable<Extract<ThrottlingOptions, { write?: unknown }>["write"]>;

/** The `retry` and `throttle` options of an Octokit under `policy`. */
export function requestPolicyOptions(policy: RequestPolicy) {
  const retries = policy.rateLimitRetries ?? 2;
  const maxWait = policy.maxRateLimitWaitSeconds ?? 60;
  const baseMs = policy.retryAfterBaseMs ?? 1000;
  const handler =
    (kind: RateLimitDetail["kind"]): LimitHandler =>
    (retryAfter, request, _octokit, retryCount) => {
      const retried = retryCount < retries && retryAfter <= maxWait;
      const detail = {
        kind,
        method: request.method ?? "",
        url: request.url ?? "",
        waitSeconds: retryAfter,
        retried,
      };
      policy.warn?.(
        `GitHub's ${kind} rate limit on ${detail.method} ${detail.url}: ${retried ? `waiting ${retryAfter} s` : "giving up"}`,
        detail,
      );
      return retried;
    };
  return {
    retry: { retryAfterBaseValue: baseMs },
    throttle: {
      enabled: true,
      retryAfterBaseValue: baseMs,
      onRateLimit: handler("primary"),
      onSecondaryRateLimit: handler("secondary"),
      ...(policy.pacing === false ? { write: UNPACED, notifications: UNPACED, search: UNPACED } : {}),
    },
  };
}

/** An Octokit (@octokit/rest) with the retry and throttling plugins, under `options`' policy. */
export async function githubClient(options: GitHubClientOptions): Promise<Octokit> {
  const [{ Octokit: Rest }, { retry }, { throttling }] = await Promise.all([
    import("@octokit/rest"),
    import("@octokit/plugin-retry"),
    import("@octokit/plugin-throttling"),
  ]);
  // Probot's order: throttling sees a rate limit before retry sees an error.
  const Client = Rest.plugin(throttling, retry);
  return new Client({
    ...(options.token ? { auth: options.token } : {}),
    baseUrl: options.baseUrl,
    userAgent: options.userAgent,
    ...(options.log ? { log: options.log } : {}),
    ...requestPolicyOptions(options),
  }) as unknown as Octokit;
}

/**
 * The app's ProbotOctokit under `policy` (and at `baseUrl`, if given): pass the result to
 * `ProbotOctokit.defaults`. Probot's own defaults retry a primary rate limit whatever the wait and
 * never a secondary one; this replaces both handlers and keeps Probot's per-installation `id`.
 */
export function probotOctokitDefaults(policy: RequestPolicy & { readonly baseUrl?: string }) {
  const { retry, throttle } = requestPolicyOptions(policy);
  return <T extends { throttle?: object }>(instance: T) => ({
    ...instance,
    ...(policy.baseUrl ? { baseUrl: policy.baseUrl } : {}),
    retry,
    throttle: { ...instance.throttle, ...throttle },
  });
}
