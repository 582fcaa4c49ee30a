import { type SQL, and, eq, inArray } from "drizzle-orm";
import { LIVE_ATTEMPT_STATUSES } from "../domain/attempts.js";
import { type TicketState, decideTransition } from "../domain/ticket-states.js";
import type { Executor, Transaction } from "../db/database.js";
import { retryTransaction } from "../db/retry.js";
import { type TicketRow, attempts, tickets } from "../db/schema.js";
import type { LifecycleDeps } from "./deps.js";
import { appendEvent } from "./events.js";
import type { Holder, NotFound, TransitionConflict, TransitionResult } from "./results.js";
import { TransitionInputSchema, type TransitionInput } from "./schemas.js";
import { validate } from "./validation.js";

/** Columns a transition into `to` resets; the holder goes when the ticket leaves active work. */
function effectsOf(to: TicketState): Partial<Pick<TicketRow, "currentAttemptId">> {
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
export type TransitionExtras = {
  currentAttemptId?: string | null | SQL;
  attemptCount?: number | SQL;
  nextEligibleAt?: Date | null | SQL;
};

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
 * The compare-and-set itself, inside a caller's transaction, for lifecycle operations that change
 * more than the ticket (a claim also creates an attempt). The caller has checked the table.
 */
export async function applyTransition(
  tx: Transaction,
  deps: Pick<LifecycleDeps, "clock">,
  request: ValidTransition,
  extra: TransitionExtras = {},
): Promise<TransitionResult> {
  const now = deps.clock.now();
  const [row] = await tx
    .update(tickets)
    .set({
      state: request.to,
      version: request.expectedVersion + 1,
      updatedAt: now,
      ...effectsOf(request.to),
      ...extra,
    })
    .where(
      and(
        eq(tickets.key, request.ticket),
        eq(tickets.version, request.expectedVersion),
        eq(tickets.state, request.from),
      ),
    )
    .returning();
  if (!row) return explainMiss(tx, request);
  if (request.reason === "cancelled" || request.reason === "released") {
    // A person took the ticket away from its worker: end the live attempt too, so its heartbeats
    // and signals are refused and the worker stops.
    await tx
      .update(attempts)
      .set({ status: request.reason, outcome: { reason: request.reason }, endedAt: now, updatedAt: now })
      .where(and(eq(attempts.ticketId, row.id), inArray(attempts.status, [...LIVE_ATTEMPT_STATUSES])));
  }
  const event = await appendEvent(tx, {
    ticketId: row.id,
    from: request.from,
    to: request.to,
    actor: request.actor,
    reason: request.reason,
    version: row.version,
    attemptId: request.attemptId,
    detail: request.detail,
    at: now,
  });
  return { ok: true, ticket: row, event };
}

/** Zero rows updated: either the ticket does not exist or someone else moved it first. */
export async function explainMiss(
  tx: Executor,
  request: Pick<ValidTransition, "ticket" | "from" | "expectedVersion">,
): Promise<TransitionConflict | NotFound> {
  const [current] = await tx
    .select({
      state: tickets.state,
      version: tickets.version,
      attemptId: attempts.id,
      worker: attempts.worker,
    })
    .from(tickets)
    .leftJoin(attempts, eq(attempts.id, tickets.currentAttemptId))
    .where(eq(tickets.key, request.ticket));
  if (!current) return { ok: false, code: "not_found", message: `no ticket ${request.ticket}` };
  const holder: Holder | null =
    current.attemptId && current.worker ? { attemptId: current.attemptId, worker: current.worker } : null;
  const heldBy = holder ? `, held by ${holder.worker} (attempt ${holder.attemptId})` : "";
  return {
    ok: false,
    code: "conflict",
    message:
      `${request.ticket} changed first: expected ${request.from} v${request.expectedVersion}, ` +
      `found ${current.state} v${current.version}${heldBy}`,
    current: { state: current.state, version: current.version, holder },
  };
}
