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
 * - attempt budget: `dispatch.max_attempts` plus the attempts people granted the ticket; a ticket
 *   that used it up is held (`max_attempts_reached`) until a person decides. `grant_attempts` adds
 *   to it and releases that hold.
 */
import { attemptBudget } from "./attempts.js";
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

/**
 * `dismiss`: nothing is left to decide (the item went stale); no ticket change.
 * `grant_attempts`: more attempts for a ticket held after its attempts ran out (carries a count).
 */
export const INBOX_DECISIONS = [
  "accept",
  "accept_for_review",
  "reject",
  "retry",
  "grant_attempts",
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
 * retried (the dispatcher would hold it again at once): it is granted more attempts, and only such
 * an item grants them.
 */
export const DECISIONS_BY_KIND: Readonly<Record<InboxKind, readonly InboxDecision[]>> = {
  completion_verified: ["accept", "accept_for_review", "reject", "cancel", "hold", "dismiss"],
  completion_failed: ["retry", "reject", "cancel", "hold", "dismiss"],
  max_attempts_reached: ["grant_attempts", "cancel", "hold", "dismiss"],
  needs_decision: INBOX_DECISIONS.filter((decision) => decision !== "grant_attempts"),
};

/** The hold the dispatcher sets on a ticket that used up its attempt budget. */
export const MAX_ATTEMPTS_HOLD = "max_attempts_reached";

/** How many attempts one `grant_attempts` decision may add (a person decides again after that). */
export const GRANT_ATTEMPTS_MIN = 1;
export const GRANT_ATTEMPTS_MAX = 10;

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
  /** Why it is held, when the caller knows (`max_attempts_reached`, `inbox:…`). */
  readonly hold?: string | null;
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
    case "grant_attempts":
      // More attempts only make sense for a ticket the dispatcher holds for having none left.
      if (!ticket) return noTicket();
      if (!heldForMaxAttempts(ticket))
        return refuse(
          `${describeHold(ticket)}: it is no longer held for max_attempts (dismiss the item, or decide again)`,
        );
      return { ok: true, effect: { transition: null, hold: "release" } };
    case "dismiss":
      return { ok: true, effect: NO_EFFECT };
    case "hold":
      return {
        ok: true,
        effect: ticket?.state === "todo" && !ticket.held ? { transition: null, hold: "set" } : NO_EFFECT,
      };
  }
}

/** A `todo` ticket held because it used up its attempts (when the hold's reason is not known: held). */
export function heldForMaxAttempts(ticket: TicketFacts): boolean {
  return (
    ticket.state === "todo" && ticket.held && (ticket.hold === undefined || ticket.hold === MAX_ATTEMPTS_HOLD)
  );
}

function describeHold(ticket: TicketFacts): string {
  if (!ticket.held) return `ticket is ${ticket.state} and not held`;
  return ticket.hold ? `ticket is ${ticket.state}, held: ${ticket.hold}` : `ticket is ${ticket.state}, held`;
}

/** What a grant is computed from: the ticket now and the `max_attempts` it was held with. */
export interface GrantFacts {
  readonly key: string;
  readonly attemptCount: number;
  readonly extraAttempts: number;
  readonly maxAttempts: number;
}

export type GrantPlan =
  | {
      readonly ok: true;
      /** The ticket's extra attempts after the grant. */
      readonly extraAttempts: number;
      /** `max_attempts + extra_attempts` after the grant. */
      readonly budget: number;
      readonly attemptsUsed: number;
    }
  | { readonly ok: false; readonly message: string };

/**
 * Granting `count` more attempts, decided without I/O: the extra attempts grow by `count`, and the
 * new budget must leave room for at least one attempt (else the dispatcher would hold the ticket
 * again at once, e.g. after `max_attempts` was lowered).
 */
export function planGrant(facts: GrantFacts, count: number): GrantPlan {
  if (!Number.isInteger(count) || count < GRANT_ATTEMPTS_MIN || count > GRANT_ATTEMPTS_MAX)
    return {
      ok: false,
      message: `attempts must be a whole number from ${GRANT_ATTEMPTS_MIN} to ${GRANT_ATTEMPTS_MAX}, not ${count}`,
    };
  const extraAttempts = facts.extraAttempts + count;
  const budget = attemptBudget(facts.maxAttempts, extraAttempts);
  if (budget <= facts.attemptCount)
    return {
      ok: false,
      message: `granting ${attemptsWord(count)} leaves ${facts.key} at ${facts.attemptCount} of ${budget} used (max_attempts ${facts.maxAttempts} + ${extraAttempts} granted): grant at least ${facts.attemptCount - budget + count + 1}, or raise dispatch.max_attempts`,
    };
  return { ok: true, extraAttempts, budget, attemptsUsed: facts.attemptCount };
}

/** "1 attempt", "3 attempts". */
export function attemptsWord(count: number): string {
  return `${count} ${count === 1 ? "attempt" : "attempts"}`;
}

/** "1 more attempt", "3 more attempts". */
export function moreAttempts(count: number): string {
  return `${count} more ${count === 1 ? "attempt" : "attempts"}`;
}
