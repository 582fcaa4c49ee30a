/**
 * What a ticket is waiting for, in the CLI's words: a held ticket is not a plain `todo`. Pure: the
 * ticket, its blockers' states, the attempt budget and the time are given.
 */
import { MAX_ATTEMPTS_HOLD } from "../domain/inbox.js";
import type { TicketState } from "../domain/ticket-states.js";

export interface TicketStatusFacts {
  readonly key: string;
  readonly state: TicketState;
  readonly hold: string | null;
  readonly attemptCount: number;
  readonly extraAttempts: number;
  readonly nextEligibleAt: Date | null;
  readonly blockedBy: readonly string[];
}

export interface TicketStatus {
  /** One cell for a table: `held (max_attempts_reached, 3 of 3 used)`, `todo (blocked by MC-1)`, `in_progress`. */
  readonly label: string;
  /** Attempts the dispatcher allows: `dispatch.max_attempts` plus those a person granted. */
  readonly attemptBudget: number;
  readonly held: { readonly reason: string; readonly attemptsUsed: number; readonly budget: number } | null;
  /** Not runnable before this (retry back-off); null when it is not backing off now. */
  readonly backoffUntil: Date | null;
  /** Blockers that are not `done` yet, with their state (`unknown` when no such ticket exists). */
  readonly blockedBy: readonly { readonly key: string; readonly state: TicketState | "unknown" }[];
  /** What happens next, or what someone must do. */
  readonly next: string;
}

/** The ticket's status; `maxAttempts` is `dispatch.max_attempts` (its budget adds the attempts granted). */
export function ticketStatus(
  t: TicketStatusFacts,
  facts: {
    readonly blockerStates: ReadonlyMap<string, TicketState>;
    readonly maxAttempts: number;
    readonly now: Date;
  },
): TicketStatus {
  const budget = facts.maxAttempts + t.extraAttempts;
  const held = t.hold ? { reason: t.hold, attemptsUsed: t.attemptCount, budget } : null;
  const blockedBy = t.blockedBy
    .map((key) => ({ key, state: facts.blockerStates.get(key) ?? ("unknown" as const) }))
    .filter((b) => b.state !== "done");
  const backoffUntil =
    t.state === "todo" && t.nextEligibleAt && t.nextEligibleAt > facts.now ? t.nextEligibleAt : null;
  const waits = [
    held ? `${held.reason}, ${held.attemptsUsed} of ${held.budget} used` : null,
    blockedBy.length ? `blocked by ${blockedBy.map((b) => b.key).join(", ")}` : null,
    backoffUntil ? `backing off until ${backoffUntil.toISOString()}` : null,
  ].filter((part): part is string => part !== null);
  const name = held && t.state === "todo" ? "held" : t.state;
  return {
    attemptBudget: budget,
    label: waits.length && (t.state === "todo" || held) ? `${name} (${waits.join("; ")})` : name,
    held,
    backoffUntil,
    blockedBy,
    next: nextStep(t, held, blockedBy, backoffUntil),
  };
}

function nextStep(
  t: TicketStatusFacts,
  held: TicketStatus["held"],
  blockedBy: TicketStatus["blockedBy"],
  backoffUntil: Date | null,
): string {
  if (held?.reason === MAX_ATTEMPTS_HOLD)
    return `a person decides: \`mctl inbox list --kind ${MAX_ATTEMPTS_HOLD}\`, then \`mctl inbox act <id> --decision grant_attempts --attempts N\` (or cancel)`;
  if (held)
    return `a person releases the hold: \`mctl inbox act <id> --decision retry\` on its inbox item (or cancel)`;
  switch (t.state) {
    case "todo":
      if (blockedBy.length)
        return `waits for ${blockedBy.map((b) => `${b.key} (${b.state})`).join(", ")} to be done`;
      if (backoffUntil) return `the dispatcher may claim it again after ${backoffUntil.toISOString()}`;
      return "the next dispatch cycle may claim it (`mctl dispatch`)";
    case "in_progress":
      return "an agent works on it; its completion is verified";
    case "needs_input":
      return `a person answers its question: \`mctl ticket answer ${t.key} --answer …\``;
    case "verifying":
      return "the evidence verifier decides whether the completion is proven";
    case "in_review":
      return "a person reviews it: `mctl inbox next`";
    default:
      return "nothing: it is finished";
  }
}
