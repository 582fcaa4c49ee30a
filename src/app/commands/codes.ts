import type { Evaluation } from "../../evidence/index.js";
import type { ActResult, AnswerResult, MaintenanceResult, TransitionResult } from "../../lifecycle/index.js";

/**
 * The reason codes of `/mc` commands: each reply ends with one (`outcome: …`) and it is stored with
 * the comment (`command_replies.outcome`). Closed unions: a new code is added here, on purpose.
 */

/** The plan refuses: the ticket is not in a state the command applies to (nothing is written). */
export type CommandRefusalCode =
  | "not_a_ticket"
  | "terminal_state"
  | "already_assigned"
  | "nothing_to_release"
  | "not_waiting"
  | "not_reviewable"
  | "unchanged"
  | "not_held"
  | "no_attempts_to_grant"
  | "no_such_attempt"
  /** `/mc approve` of a ticket whose latest evidence verdict is not `pass` (no override given). */
  | "evidence_not_passing"
  /** `/mc maintenance` of operate or orchestrate: they serve every owner (`mctl maintenance` only). */
  | "deployment_wide_task";

/** The plan only answers: a read (status, help) or nothing to act on. */
export type CommandReplyCode = "status" | "help" | "nothing_to_retry" | "verifier_unavailable";

export type VerdictStatus = Evaluation["verdict"]["status"];

/** The lifecycle call (or calls) of an applied plan went through. */
export type CommandSuccessCode =
  | "claimed"
  | "unassigned"
  | "released"
  | "answered"
  | "priority_changed"
  | "paused"
  | "resumed"
  | "retried"
  | "attempts_granted"
  | "accepted"
  | "approved"
  /** `/mc approve override <reason>`: done although the evidence did not pass; an event says so. */
  | "evidence_overridden"
  | "rejected"
  | "cancelled"
  | `verdict_${VerdictStatus}`;

type Failed<R> = Extract<R, { ok: false }>;

/**
 * The lifecycle refused the call or lost a race (the ticket changed since it was read): its own
 * code is the outcome, and its message the reply.
 */
export type LifecycleFailureCode =
  | Failed<TransitionResult>["code"]
  | Failed<ActResult>["code"]
  | Failed<AnswerResult>["code"]
  | Failed<MaintenanceResult>["code"]
  | VerifyFailureCode;

/**
 * What the verifier answers when it cannot verify (its result type still allows any string; the
 * executor maps a code not listed here to `verify_failed`, keeping the verifier's message).
 */
export const VERIFY_FAILURE_CODES = [
  "not_found",
  "not_verifying",
  "conflict",
  "invalid_input",
  "terminal_state",
  "no_such_transition",
  "actor_not_allowed",
] as const;
export type VerifyFailureCode = (typeof VERIFY_FAILURE_CODES)[number] | "verify_failed";

/** Every outcome a command can have, from the parse to the lifecycle's answer. */
export type CommandOutcomeCode =
  | "usage_error"
  | "permission_refused"
  /** Refused without a reaction or a reply: the commenter cannot write to the repository. */
  | "outsider_ignored"
  | CommandRefusalCode
  | CommandReplyCode
  | CommandSuccessCode
  /** Someone acted on the inbox item between the read and the act: their result stands. */
  | "already_decided"
  | LifecycleFailureCode;

/** What a command did: its reason code and the sentence of the reply. */
export interface CommandOutcome {
  readonly code: CommandOutcomeCode;
  readonly text: string;
}
