import type { Octokit } from "@octokit/rest";
import type { HttpCache } from "./http-cache.js";
import type { Fetched, Unavailable } from "./types.js";

/**
 * How failed reads are retried by the reader itself: 5xx, dropped connections and rate limits that
 * lift soon enough. Every Octokit the app and `mctl` build retries and waits out rate limits already
 * (src/github/client.ts), so by default the reader tries once; more tries are for an Octokit without
 * those plugins (tests against the stand-in), where a retry here would otherwise be a retry squared.
 */
export interface RetryPolicy {
  /** Tries per request, the first included. */
  readonly attempts: number;
  /** Back-off before the 2nd try; doubled after each. */
  readonly baseMs: number;
  /** A rate limit that asks to wait longer than this is not waited for: the fact stays unknown. */
  readonly maxWaitMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 1, baseMs: 500, maxWaitMs: 10_000 };

/** What reading cost: requests sent, sent with `If-None-Match`, answered 304 (free against the rate limit), retried. */
export interface ReadStats {
  requests: number;
  conditional: number;
  notModified: number;
  retries: number;
}

export interface Page {
  readonly body: unknown;
  readonly link: string | null;
}

interface ErrorLike {
  readonly status?: number;
  readonly message?: string;
  readonly response?: { readonly headers?: Record<string, string | number | undefined> };
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Conditional GETs through Octokit: the ETag of each URL is kept in `cache` and sent as
 * `If-None-Match`, so a re-check of unchanged facts is answered 304 and costs nothing against the
 * rate limit. Failures are retried per `retry`; what still fails comes back as `Unavailable` with
 * the reason, never as an exception and never as an empty (passing-looking) answer.
 */
export class GitHubReader {
  readonly stats: ReadStats = { requests: 0, conditional: 0, notModified: 0, retries: 0 };
  readonly #sleep: (ms: number) => Promise<void>;
  #unavailable: GitHubUnavailable | null = null;

  constructor(
    private readonly octokit: Octokit,
    private readonly cache: HttpCache,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {
    this.#sleep = retry.sleep ?? defaultSleep;
  }

  /** One GET of `route` with `params` (Octokit route syntax). */
  async get(route: string, params: Record<string, unknown>): Promise<Fetched<Page>> {
    const { url } = this.octokit.request.endpoint(route, params);
    const cached = await this.cache.get(url);
    for (let attempt = 1; ; attempt++) {
      this.stats.requests += 1;
      if (cached) this.stats.conditional += 1;
      try {
        const response = await this.octokit.request(route, {
          ...params,
          headers: cached ? { "if-none-match": cached.etag } : {},
        });
        const link = typeof response.headers.link === "string" ? response.headers.link : null;
        const etag = response.headers.etag;
        if (typeof etag === "string") await this.cache.set(url, { etag, body: response.data, link });
        return { ok: true, value: { body: response.data, link } };
      } catch (error) {
        const failure = error as ErrorLike;
        if (failure.status === 304 && cached) {
          this.stats.notModified += 1;
          return { ok: true, value: { body: cached.body, link: cached.link } };
        }
        const outcome = classify(failure, `GET ${new URL(url).pathname}`, attempt);
        const wait = outcome.retryable ? this.#waitFor(outcome, attempt) : null;
        if (wait === null || attempt >= this.retry.attempts) {
          this.#noteUnavailable(outcome);
          return outcome.unavailable;
        }
        this.stats.retries += 1;
        await this.#sleep(wait);
      }
    }
  }

  /** Every page of a list (following `rel="next"` by page number), each page conditional on its own. */
  async getAll(
    route: string,
    params: Record<string, unknown>,
    items: (body: unknown) => readonly unknown[],
    maxPages = 20,
  ): Promise<Fetched<unknown[]>> {
    const all: unknown[] = [];
    for (let page = 1; page <= maxPages; page++) {
      const answer = await this.get(route, { ...params, per_page: 100, page });
      if (!answer.ok) return answer;
      all.push(...items(answer.value.body));
      if (!answer.value.link?.includes('rel="next"')) return { ok: true, value: all };
    }
    return {
      ok: false,
      reason: "github_unavailable",
      message: `GET ${route}: more than ${maxPages} pages; refusing to judge on a partial list`,
    };
  }

  /**
   * Whether GitHub failed a read for a while-lasting reason (5xx, no answer, a rate limit) after the
   * retries, with the longest `retry-after` it asked for: a verdict left pending by it is checked
   * again later, as no webhook may come to do it.
   */
  unavailable(): GitHubUnavailable | null {
    return this.#unavailable;
  }

  #noteUnavailable(outcome: Classified): void {
    const { reason } = outcome.unavailable;
    if (reason !== "github_unavailable" && reason !== "rate_limited") return;
    const retryAfterMs = Math.max(this.#unavailable?.retryAfterMs ?? 0, outcome.retryAfterMs ?? 0);
    this.#unavailable = { reason, retryAfterMs: retryAfterMs > 0 ? retryAfterMs : null };
  }

  #waitFor(outcome: Classified, attempt: number): number | null {
    const backoff = this.retry.baseMs * 2 ** (attempt - 1);
    const wait = Math.max(backoff, outcome.retryAfterMs ?? 0);
    return wait > this.retry.maxWaitMs ? null : wait;
  }
}

export interface GitHubUnavailable {
  readonly reason: "github_unavailable" | "rate_limited";
  /** The longest wait GitHub asked for (`retry-after`, or until the rate limit's reset), if any. */
  readonly retryAfterMs: number | null;
}

interface Classified {
  readonly retryable: boolean;
  readonly retryAfterMs: number | null;
  readonly unavailable: Unavailable;
}

function header(error: ErrorLike, name: string): string | undefined {
  const value = error.response?.headers?.[name];
  return value === undefined ? undefined : String(value);
}

/** Sorts a failed request into GitHub's cases: not found, rate limited, unavailable, forbidden. */
function classify(error: ErrorLike, what: string, attempt: number): Classified {
  const status = error.status;
  const tries = `after ${attempt} ${attempt === 1 ? "try" : "tries"}`;
  if (status === 404 || status === 422)
    return {
      retryable: false,
      retryAfterMs: null,
      unavailable: {
        ok: false,
        reason: "not_found",
        message: `${what}: ${status} ${error.message ?? ""}`.trim(),
      },
    };
  const retryAfter = header(error, "retry-after");
  const remaining = header(error, "x-ratelimit-remaining");
  if (status === 429 || (status === 403 && (retryAfter !== undefined || remaining === "0"))) {
    const reset = Number(header(error, "x-ratelimit-reset"));
    const retryAfterMs =
      retryAfter !== undefined
        ? Number(retryAfter) * 1000
        : Number.isFinite(reset)
          ? Math.max(0, reset * 1000 - Date.now())
          : null;
    const kind = retryAfter !== undefined ? "secondary rate limit" : "rate limit exhausted";
    return {
      retryable: retryAfterMs !== null,
      retryAfterMs,
      unavailable: {
        ok: false,
        reason: "rate_limited",
        message: `${what}: ${status} ${kind} ${tries}${retryAfter !== undefined ? ` (retry after ${retryAfter}s)` : ""}`,
      },
    };
  }
  if (status === undefined || status >= 500)
    return {
      retryable: true,
      retryAfterMs: null,
      unavailable: {
        ok: false,
        reason: "github_unavailable",
        message: `${what}: ${status ?? "no answer"} ${tries}${status === undefined && error.message ? ` (${error.message})` : ""}`,
      },
    };
  return {
    retryable: false,
    retryAfterMs: null,
    unavailable: {
      ok: false,
      reason: "forbidden",
      message: `${what}: ${status} ${error.message ?? ""}`.trim(),
    },
  };
}
