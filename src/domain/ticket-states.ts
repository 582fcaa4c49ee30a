import type { ActorKind } from "./actors.js";

/**
 * The ticket state machine, as data. This table is the only definition of which state changes
 * exist, why (the reason code) and who may make them; the lifecycle module enforces it and the
 * property tests in test/domain explore it.
 */
export const TICKET_STATES = [
  "todo",
  "in_progress",
  "needs_input",
  "verifying",
  "in_review",
  "done",
  "cancelled",
] as const;
export type TicketState = (typeof TICKET_STATES)[number];

export const TERMINAL_STATES: readonly TicketState[] = ["done", "cancelled"];

export function isTerminal(state: TicketState): boolean {
  return TERMINAL_STATES.includes(state);
}

/** One allowed state change: `from → to`, for `reason`, by one of `actors`. */
export interface TransitionRule {
  readonly from: TicketState;
  readonly to: TicketState;
  readonly reason: TransitionReason;
  readonly actors: readonly ActorKind[];
}

export const TRANSITION_REASONS = [
  "claimed",
  "needs_input",
  "requeued_needs_input",
  "lease_expired",
  "attempt_failed",
  "launch_failed",
  "launch_config_error",
  "released",
  "completion_claimed",
  "evidence_failed",
  "accepted_for_review",
  "accepted",
  "approved",
  /** A person closed the ticket although its latest evidence verdict was not `pass` (`/mc approve override`). */
  "evidence_overridden",
  "rejected",
  "cancelled",
] as const;
export type TransitionReason = (typeof TRANSITION_REASONS)[number];

const NON_TERMINAL = TICKET_STATES.filter((s) => !isTerminal(s));

export const TRANSITIONS: readonly TransitionRule[] = [
  // Pickup. A person may claim by hand (`/mc claim`); agents only through the dispatcher.
  { from: "todo", to: "in_progress", reason: "claimed", actors: ["dispatcher", "human"] },
  // The agent asks a question; only an answered ticket is requeued, by the dispatcher's needs-input phase.
  { from: "in_progress", to: "needs_input", reason: "needs_input", actors: ["worker"] },
  { from: "needs_input", to: "todo", reason: "requeued_needs_input", actors: ["dispatcher"] },
  // An attempt that ends without a completion sends the ticket back to the queue.
  { from: "in_progress", to: "todo", reason: "lease_expired", actors: ["dispatcher"] },
  { from: "in_progress", to: "todo", reason: "attempt_failed", actors: ["worker", "dispatcher"] },
  { from: "in_progress", to: "todo", reason: "launch_failed", actors: ["dispatcher"] },
  // The launch failed for configuration: back to the queue at once, the attempt not counted.
  { from: "in_progress", to: "todo", reason: "launch_config_error", actors: ["dispatcher"] },
  { from: "in_progress", to: "todo", reason: "released", actors: ["human"] },
  { from: "needs_input", to: "todo", reason: "released", actors: ["human"] },
  // Completion is a claim backed by evidence; the verifier and the orchestrator decide what it is worth.
  { from: "in_progress", to: "verifying", reason: "completion_claimed", actors: ["worker", "human"] },
  { from: "verifying", to: "todo", reason: "evidence_failed", actors: ["verifier"] },
  { from: "verifying", to: "in_review", reason: "accepted_for_review", actors: ["orchestrator", "human"] },
  { from: "verifying", to: "done", reason: "accepted", actors: ["orchestrator", "human"] },
  { from: "verifying", to: "todo", reason: "rejected", actors: ["orchestrator", "human"] },
  { from: "in_review", to: "done", reason: "approved", actors: ["orchestrator", "human"] },
  // Only a person may close a ticket against its evidence, and it is recorded as such.
  { from: "verifying", to: "done", reason: "evidence_overridden", actors: ["human"] },
  { from: "in_review", to: "done", reason: "evidence_overridden", actors: ["human"] },
  { from: "in_review", to: "todo", reason: "rejected", actors: ["orchestrator", "human"] },
  ...NON_TERMINAL.map(
    (from): TransitionRule => ({
      from,
      to: "cancelled",
      reason: "cancelled",
      actors: ["human", "orchestrator"],
    }),
  ),
];

/** What an actor asks for: move a ticket that is in `from` to `to`, for `reason`. */
export interface TransitionRequest {
  readonly from: TicketState;
  readonly to: TicketState;
  readonly reason: TransitionReason;
  readonly actor: ActorKind;
}

/** A transition the table does not allow, with what the actor could have done instead. */
export interface TransitionRefusal {
  readonly ok: false;
  readonly code: "terminal_state" | "no_such_transition" | "actor_not_allowed";
  readonly message: string;
  /** The transitions this actor kind may perform from `from` (empty for a terminal state or the operator). */
  readonly allowed: readonly TransitionRule[];
}

export type TransitionDecision = { readonly ok: true; readonly rule: TransitionRule } | TransitionRefusal;

/** The rules an actor kind may apply to a ticket in `from`. */
export function allowedTransitions(from: TicketState, actor: ActorKind): TransitionRule[] {
  return TRANSITIONS.filter((rule) => rule.from === from && rule.actors.includes(actor));
}

export function describeRule(rule: Pick<TransitionRule, "from" | "to" | "reason">): string {
  return `${rule.from} → ${rule.to} (${rule.reason})`;
}

/** Decides, without I/O, whether `request` is allowed by the table. */
export function decideTransition(request: TransitionRequest): TransitionDecision {
  const allowed = allowedTransitions(request.from, request.actor);
  const refuse = (code: TransitionRefusal["code"], why: string): TransitionRefusal => {
    const options = allowed.length ? allowed.map(describeRule).join(", ") : "none";
    return { ok: false, code, message: `${why}; allowed for ${request.actor}: ${options}`, allowed };
  };
  if (isTerminal(request.from)) {
    return refuse("terminal_state", `ticket is ${request.from}, a terminal state`);
  }
  const rule = TRANSITIONS.find(
    (r) => r.from === request.from && r.to === request.to && r.reason === request.reason,
  );
  if (!rule) return refuse("no_such_transition", `there is no transition ${describeRule(request)}`);
  if (!rule.actors.includes(request.actor)) {
    return refuse(
      "actor_not_allowed",
      `${request.actor} may not perform ${describeRule(rule)} (only ${rule.actors.join(", ")})`,
    );
  }
  return { ok: true, rule };
}
