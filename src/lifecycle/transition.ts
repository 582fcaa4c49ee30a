import { and, eq, inArray } from "drizzle-orm";
import { LIVE_ATTEMPT_STATUSES } from "../domain/attempts.js";
import { type TicketState, decideTransition } from "../domain/ticket-states.js";
import type { Transaction } from "../db/database.js";
import { retryTransaction } from "../db/retry.js";
import { type TicketRow, attempts } from "../db/schema.js";
import type { LifecycleDeps } from "./deps.js";
import { casTicket, type TicketChange } from "./cas-ticket.js";
import type { TransitionResult } from "./results.js";
import { TransitionInputSchema, type TransitionInput } from "./schemas.js";
import { validate } from "./validation.js";

/** Columns a transition into `to` resets; the holder goes when the ticket leaves active work. */
export function effectsOf(to: TicketState): Partial<Pick<TicketRow, "currentAttemptId">> {
  return to === "todo" || to === "done" || to === "cancelled" ? { currentAttemptId: null } : {};
}

/**
 * Moves a ticket `from → to` if, and only if, it is still in `from` at `expectedVersion` and the
 * transition table allows it for the actor. One transaction: the compare-and-set update plus one
 * event. Returns a typed refusal, conflict or not-found instead of throwing.
 */
export async function transitionTicket(
  deps: LifecycleDeps,
  input: TransitionInput,
): Promise<TransitionResult> {
  const valid = validate(TransitionInputSchema, input, "transition");
  if (!valid.ok) return valid;
  const request = valid.value;
  const decision = checkTable(request);
  if (!decision.ok) return decision;
  return retryTransaction(() => deps.db.transaction((tx) => applyTransition(tx, deps, request)));
}

export type ValidTransition = ReturnType<typeof TransitionInputSchema.parse>;

/** The transition table's verdict on a request, before any I/O. */
function checkTable(request: ValidTransition) {
  return decideTransition({
    from: request.from,
    to: request.to,
    reason: request.reason,
    actor: request.actor.kind,
  });
}

/** Columns a lifecycle operation may set together with a transition (values or SQL expressions). */
export type TransitionExtras = Pick<
  TicketChange,
  "currentAttemptId" | "attemptCount" | "nextEligibleAt" | "extraAttempts"
>;

/**
 * For lifecycle operations inside their own transaction: checks the table, then applies the
 * compare-and-set. Callers build `request` themselves, so it is trusted input.
 */
export async function guardedTransition(
  tx: Transaction,
  deps: Pick<LifecycleDeps, "clock">,
  request: ValidTransition,
  extra: TransitionExtras = {},
): Promise<TransitionResult> {
  const decision = checkTable(request);
  if (!decision.ok) return decision;
  return applyTransition(tx, deps, request, extra);
}

/**
 * The compare-and-set itself (src/lifecycle/cas-ticket.ts), inside a caller's transaction; the
 * table has been checked. Not exported: every transition goes through the table first.
 */
async function applyTransition(
  tx: Transaction,
  deps: Pick<LifecycleDeps, "clock">,
  request: ValidTransition,
  extra: TransitionExtras = {},
): Promise<TransitionResult> {
  const now = deps.clock.now();
  const moved = await casTicket(tx, {
    key: request.ticket,
    expectedVersion: request.expectedVersion,
    from: request.from,
    to: request.to,
    set: { ...effectsOf(request.to), ...extra },
    event: {
      actor: request.actor,
      reason: request.reason,
      attemptId: request.attemptId,
      detail: request.detail,
    },
    at: now,
  });
  if (!moved.ok) return moved;
  if (request.reason === "cancelled" || request.reason === "released") {
    // A person took the ticket away from its worker: end the live attempt too, so its heartbeats
    // and signals are refused and the worker stops.
    await tx
      .update(attempts)
      .set({ status: request.reason, outcome: { reason: request.reason }, endedAt: now, updatedAt: now })
      .where(
        and(eq(attempts.ticketId, moved.ticket.id), inArray(attempts.status, [...LIVE_ATTEMPT_STATUSES])),
      );
  }
  return moved;
}
