/** Retry back-off for tickets whose attempts failed or were lost. */
export interface BackoffPolicy {
  /** Delay after the first failed attempt. */
  readonly baseMs: number;
  /** No delay is longer than this. */
  readonly capMs: number;
}

/** The delay stops growing here even without a cap (and 2 ** exponent stays exact). */
const MAX_EXPONENT = 30;

/**
 * Exponential, capped: attempt 1 waits `baseMs`, attempt 2 twice that, and so on up to `capMs`.
 * Deterministic on purpose (no jitter): the dispatcher is single-flight, so there is no herd to spread.
 */
export function backoffDelay(failedAttempts: number, policy: BackoffPolicy): number {
  if (failedAttempts < 1) return 0;
  const exponent = Math.min(failedAttempts - 1, MAX_EXPONENT);
  return Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
}

/**
 * backoffDelay for 0, 1, 2 … failed attempts, as far as it changes: the delay after `n` failures is
 * entry `min(n, length - 1)`. For a write that computes the back-off inside its SQL statement,
 * from the count it reads there.
 */
export function backoffDelays(policy: BackoffPolicy): number[] {
  return Array.from({ length: MAX_EXPONENT + 2 }, (_, failedAttempts) =>
    backoffDelay(failedAttempts, policy),
  );
}

export function nextEligibleAt(now: Date, failedAttempts: number, policy: BackoffPolicy): Date {
  return new Date(now.getTime() + backoffDelay(failedAttempts, policy));
}

/**
 * `delay` with "equal jitter": half of it fixed, the other half drawn from `random()` ([0, 1)).
 * For clients that many processes run at once (workers retrying their report through an outage),
 * so that they do not all come back in the same instant when the server does.
 */
export function jittered(delay: number, random: () => number): number {
  return Math.floor(delay / 2 + random() * (delay / 2));
}
