/** Back-off of a failed mirror batch: exponential, capped, and never sooner than GitHub's `retry-after`. */
export interface MirrorRetry {
  readonly baseMs: number;
  readonly capMs: number;
}

/** The wait before try `tries + 1`; a rate-limit answer's `retry-after` / `x-ratelimit-reset` wins if longer. */
export function retryDelayMs(policy: MirrorRetry, tries: number, error: unknown, nowMs = Date.now()): number {
  const backoff = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(tries, 20));
  return Math.max(backoff, rateLimitWaitMs(error, nowMs));
}

function rateLimitWaitMs(error: unknown, nowMs: number): number {
  const headers = (error as { response?: { headers?: Record<string, string | undefined> } })?.response
    ?.headers;
  if (!headers) return 0;
  const retryAfter = Number(headers["retry-after"]);
  if (Number.isFinite(retryAfter) && retryAfter > 0) return retryAfter * 1000;
  if (headers["x-ratelimit-remaining"] === "0") {
    const reset = Number(headers["x-ratelimit-reset"]);
    if (Number.isFinite(reset)) return Math.max(0, reset * 1000 - nowMs);
  }
  return 0;
}
