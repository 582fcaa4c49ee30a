import type { Lifecycle } from "../lifecycle/index.js";

/**
 * What a dispatch cycle asks of the lifecycle, and nothing more: its lease, the expiry and
 * needs-input phases, the queue reads of the pick phase, claims, holds and released launches, and
 * the cycle's record. A `Lifecycle` is one; a test may hand in anything that has these.
 */
export type DispatchLifecycle = Pick<
  Lifecycle,
  | "clock"
  | "acquireLease"
  | "renewLease"
  | "releaseLease"
  | "recordDispatchCycle"
  | "recordLockHeld"
  | "findExpiredAttempts"
  | "expireAttempt"
  | "findAnsweredTickets"
  | "transition"
  | "candidatePage"
  | "unrecordedPolicyRefusals"
  | "recordPolicySkips"
  | "queuedRepositories"
  | "blockerStates"
  | "holdTicket"
  | "claim"
  | "releaseFailedLaunch"
> & {
  /** Only the dispatcher's own maintenance setting (a paused dispatcher claims nothing). */
  readonly tasks: Pick<Lifecycle["tasks"], "setting">;
  /** Only resolving the `launch_config_error` alert of a repository whose launch succeeded. */
  readonly alerts: Pick<Lifecycle["alerts"], "resolve">;
};
