/**
 * An attempt is one try of one worker at one ticket. It is born `launching` when the dispatcher
 * claims the ticket, becomes `running` when a worker takes it by compare-and-set, and ends in one
 * of the final statuses with a structured outcome.
 */
export const ATTEMPT_STATUSES = [
  "launching",
  "running",
  "completed",
  "needs_input",
  "failed",
  "lost",
  "released",
  "cancelled",
] as const;
export type AttemptStatus = (typeof ATTEMPT_STATUSES)[number];

export const LIVE_ATTEMPT_STATUSES: readonly AttemptStatus[] = ["launching", "running"];

export function isLiveAttempt(status: AttemptStatus): boolean {
  return LIVE_ATTEMPT_STATUSES.includes(status);
}

/**
 * How many attempts a ticket may make before the dispatcher holds it for a person:
 * `dispatch.max_attempts` plus the attempts people granted it (`grant_attempts`).
 */
export function attemptBudget(maxAttempts: number, extraAttempts: number): number {
  return maxAttempts + extraAttempts;
}

/** True when a ticket has used its attempt budget (the dispatcher holds it instead of claiming). */
export function attemptsUsedUp(attemptCount: number, budget: number): boolean {
  return attemptCount >= budget;
}
