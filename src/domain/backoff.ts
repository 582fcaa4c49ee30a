/** Retry back-off for tickets whose attempts failed or were lost. */
export interface BackoffPolicy {
  /** Delay after the first failed attempt. */
  readonly baseMs: number;
  /** No delay is longer than this. */
  readonly capMs: number;
}

/**
 * Exponential, capped: attempt 1 waits `baseMs`, attempt 2 twice that, and so on up to `capMs`.
 * Deterministic on purpose (no jitter): the dispatcher is single-flight, so there is no herd to spread.
 */
export function backoffDelay(failedAttempts: number, policy: BackoffPolicy): number {
  if (failedAttempts < 1) return 0;
  const exponent = Math.min(failedAttempts - 1, 30);
  return Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
}

export function nextEligibleAt(now: Date, failedAttempts: number, policy: BackoffPolicy): Date {
  return new Date(now.getTime() + backoffDelay(failedAttempts, policy));
}
