import { type Effect, type InboxDecision, type InboxKind, NO_EFFECT, effectOf } from "../domain/inbox.js";
import type { TicketState } from "../domain/ticket-states.js";

/** The orchestrator's configured rules (config section `orchestrator`). */
export interface OrchestratorRules {
  /** A verified completion goes to `in_review` (a person approves) instead of straight to `done`. */
  readonly reviewRequired: boolean;
  /** A failed completion stays in the queue (true) or is held for a person (false). */
  readonly retryFailedCompletions: boolean;
}

/** What the rules look at: the item and its ticket as they are now (the item may be stale). */
export interface ItemFacts {
  readonly kind: InboxKind;
  /** The attempt the item is about, if any. */
  readonly attemptId: string | null;
  readonly ticket: {
    readonly state: TicketState;
    readonly held: boolean;
    readonly currentAttemptId: string | null;
  } | null;
  /** The latest verdict of the item's attempt. */
  readonly latestVerdict: "pass" | "fail" | "pending" | null;
}

/** What to do with one item: decide (with the ticket change), or leave it for a person. */
export type RuleOutcome =
  | {
      readonly action: "decide";
      readonly decision: InboxDecision;
      readonly effect: Effect;
      readonly note: string;
    }
  | {
      readonly action: "leave";
      readonly why: string;
      /** Keep the ticket out of the queue until the person decides. */
      readonly holdTicket: boolean;
    };

/**
 * The automated orchestrator as a pure function (DESIGN.md: verified + review required →
 * in_review; verified → done; failed → back to the queue or held for a person). A verified
 * completion whose proof no longer stands is dismissed, never accepted. Anything it has no rule for
 * is left for a person (`mctl inbox act`, later `/mc approve|reject`).
 */
export function decideItem(item: ItemFacts, rules: OrchestratorRules): RuleOutcome {
  const ticket = item.ticket;
  switch (item.kind) {
    case "completion_verified": {
      if (!ticket) return dismiss("the ticket is gone");
      if (ticket.state !== "verifying") return dismiss(`ticket is already ${ticket.state}`);
      if (ticket.currentAttemptId !== item.attemptId) return dismiss("a newer attempt replaced this one");
      if (item.latestVerdict !== "pass")
        return dismiss(`the latest verdict is ${item.latestVerdict ?? "missing"}, not pass`);
      const decision: InboxDecision = rules.reviewRequired ? "accept_for_review" : "accept";
      return decideWith(
        decision,
        ticket,
        rules.reviewRequired ? "evidence verified; review required" : "evidence verified",
      );
    }
    case "completion_failed":
      if (!rules.retryFailedCompletions)
        return { action: "leave", why: "failed completions wait for a person", holdTicket: true };
      if (ticket?.state === "verifying")
        return decideWith("reject", ticket, "evidence failed; back to the queue");
      // The verifier has already sent the ticket back to the queue (with back-off): nothing to change.
      // A hold stays: it is someone else's decision (the dispatcher's after max_attempts, a person's).
      return {
        action: "decide",
        decision: "retry",
        effect: NO_EFFECT,
        note: ticket?.held
          ? `evidence failed; ticket is ${ticket.state} and stays held`
          : `evidence failed; ticket is ${ticket?.state ?? "gone"} and stays in the queue`,
      };
    case "max_attempts_reached":
    case "needs_decision":
      return { action: "leave", why: `${item.kind.replaceAll("_", " ")} needs a person`, holdTicket: false };
  }
}

function decideWith(
  decision: InboxDecision,
  ticket: NonNullable<ItemFacts["ticket"]>,
  note: string,
): RuleOutcome {
  const effect = effectOf(decision, ticket);
  if (!effect.ok) return dismiss(effect.message);
  return { action: "decide", decision, effect: effect.effect, note };
}

function dismiss(why: string): RuleOutcome {
  return {
    action: "decide",
    decision: "dismiss",
    effect: NO_EFFECT,
    note: `stale: ${why}; nothing to apply`,
  };
}
