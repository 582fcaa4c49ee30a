/**
 * The orchestrator inbox: every semantic decision waits here. An item is `pending`, handed out
 * (`delivered`, with a lease) and finally `acted` — and `acted` is only ever written together with
 * a structured result and the ticket change it decided, in one transaction. Delivery alone never
 * marks anything processed (an earlier control plane lost decisions that way).
 *
 * Terminology
 * - kind: why the item exists (`completion_verified` …); it fixes which decisions make sense.
 * - audience: who takes the item first: the automated `orchestrator` or a `person`. An item the
 *   orchestrator has no rule for is handed over to a person (back to `pending`, never `acted`).
 * - delivery: a lease on the item (holder, expiry) plus a delivery count; the count is the fencing
 *   token of that delivery. A delivered item whose lease expired is delivered again.
 * - effect: what acting does to the ticket: a transition from the table, setting or releasing a
 *   hold (a `todo` ticket kept out of the queue), or nothing.
 */
import type { TicketState, TransitionReason } from "./ticket-states.js";

export const INBOX_STATES = ["pending", "delivered", "acted"] as const;
export type InboxState = (typeof INBOX_STATES)[number];

export const INBOX_KINDS = [
  "completion_verified",
  "completion_failed",
  "max_attempts_reached",
  "needs_decision",
] as const;
export type InboxKind = (typeof INBOX_KINDS)[number];

export const INBOX_AUDIENCES = ["orchestrator", "person"] as const;
export type InboxAudience = (typeof INBOX_AUDIENCES)[number];

/** `dismiss`: nothing is left to decide (the item went stale); no ticket change. */
export const INBOX_DECISIONS = [
  "accept",
  "accept_for_review",
  "reject",
  "retry",
  "cancel",
  "hold",
  "dismiss",
] as const;
export type InboxDecision = (typeof INBOX_DECISIONS)[number];

/** Who takes an item of this kind first. Anything that is not a completion needs a person. */
export function defaultAudience(kind: InboxKind): InboxAudience {
  return kind === "completion_verified" || kind === "completion_failed" ? "orchestrator" : "person";
}

/**
 * Decisions that make sense for each kind. A ticket that used up its attempts cannot simply be
 * retried: the dispatcher would hold it again at once (granting more attempts is not built yet).
 */
export const DECISIONS_BY_KIND: Readonly<Record<InboxKind, readonly InboxDecision[]>> = {
  completion_verified: ["accept", "accept_for_review", "reject", "cancel", "hold", "dismiss"],
  completion_failed: ["retry", "reject", "cancel", "hold", "dismiss"],
  max_attempts_reached: ["cancel", "hold", "dismiss"],
  needs_decision: INBOX_DECISIONS,
};

/** A ticket transition an inbox decision applies (checked against the table when applied). */
export interface EffectTransition {
  readonly from: TicketState;
  readonly to: TicketState;
  readonly reason: TransitionReason;
}

/** What acting does to the subject ticket. */
export interface Effect {
  readonly transition: EffectTransition | null;
  /** `set`: keep a `todo` ticket out of the queue for a person; `release`: put it back. */
  readonly hold: "set" | "release" | null;
}

export const NO_EFFECT: Effect = { transition: null, hold: null };

/** The ticket facts a decision's effect depends on. */
export interface TicketFacts {
  readonly state: TicketState;
  readonly held: boolean;
}

export type EffectDecision =
  | { readonly ok: true; readonly effect: Effect }
  | { readonly ok: false; readonly message: string };

/**
 * The effect of `decision` on a ticket in `ticket` state: pure, so the CLI, the orchestrator and
 * later `/mc approve|reject` all translate a decision the same way. A ticket that is gone (null)
 * only allows decisions without a ticket change.
 */
export function effectOf(decision: InboxDecision, ticket: TicketFacts | null): EffectDecision {
  const refuse = (why: string): EffectDecision => ({ ok: false, message: `cannot ${decision}: ${why}` });
  const move = (to: TicketState, reason: TransitionReason): EffectDecision =>
    ticket
      ? { ok: true, effect: { transition: { from: ticket.state, to, reason }, hold: null } }
      : noTicket();
  const noTicket = () => refuse("the item names no ticket");
  switch (decision) {
    case "accept":
      if (ticket?.state === "verifying") return move("done", "accepted");
      if (ticket?.state === "in_review") return move("done", "approved");
      return ticket ? refuse(`ticket is ${ticket.state}, not verifying or in_review`) : noTicket();
    case "accept_for_review":
      if (ticket?.state === "verifying") return move("in_review", "accepted_for_review");
      return ticket ? refuse(`ticket is ${ticket.state}, not verifying`) : noTicket();
    case "reject":
      if (ticket?.state === "verifying" || ticket?.state === "in_review") return move("todo", "rejected");
      return ticket ? refuse(`ticket is ${ticket.state}, not verifying or in_review`) : noTicket();
    case "cancel":
      if (!ticket) return noTicket();
      if (ticket.state === "done" || ticket.state === "cancelled")
        return refuse(`ticket is already ${ticket.state}`);
      return move("cancelled", "cancelled");
    case "retry":
      // The ticket is (back) in the queue, or will be once a person's hold is released.
      return { ok: true, effect: ticket?.held ? { transition: null, hold: "release" } : NO_EFFECT };
    case "dismiss":
      return { ok: true, effect: NO_EFFECT };
    case "hold":
      return {
        ok: true,
        effect: ticket?.state === "todo" && !ticket.held ? { transition: null, hold: "set" } : NO_EFFECT,
      };
  }
}
