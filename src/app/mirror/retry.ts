import { type BackoffPolicy, backoffDelay } from "../../domain/backoff.js";

/**
 * Back-off of a failed job of the app's durable queues (mirror batches, commands, evidence
 * re-evaluations): exponential, capped, and never sooner than GitHub's `retry-after`. Not a second
 * request retry: each request was already retried and its short rate-limit waits sat out by the
 * Octokit (src/github/client.ts); this is for what outlasted those, across passes and restarts.
 */
export type MirrorRetry = BackoffPolicy;

/** The wait before try `tries + 1`; a rate-limit answer's `retry-after` / `x-ratelimit-reset` wins if longer. */
export function retryDelayMs(policy: MirrorRetry, tries: number, error: unknown, nowMs = Date.now()): number {
  return Math.max(backoffDelay(tries + 1, policy), rateLimitWaitMs(error, nowMs));
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
