import { type SQL, and, eq, isNull, sql } from "drizzle-orm";
import type { Executor, Transaction } from "../db/database.js";
import { attempts, ticketEvents, tickets } from "../db/schema.js";
import type { Actor } from "../domain/actors.js";
import type { Priority } from "../domain/priorities.js";
import type { TicketEventReason } from "../domain/ticket-events.js";
import type { TicketState } from "../domain/ticket-states.js";
import { appendEvent } from "./events.js";
import type { Applied, Holder, LastChange, NotFound, TransitionConflict } from "./results.js";

/**
 * The one guarded ticket write: every change of a ticket row (a transition, a hold, a grant, an
 * answer, an assignee, a priority) is this compare-and-set plus its event, in the caller's
 * transaction. Zero rows updated is a typed `conflict` naming the current state, version and
 * holder (or `not_found`), never an exception, and then nothing was written. The job path's
 * changes (a claim, an attempt's end) write the same compare-and-set and event as one statement of
 * data-modifying CTEs instead (claim.ts, attempts.ts), and explain a miss with explainMiss too.
 */

/** Columns a change may set besides state, version and updatedAt (values or SQL expressions). */
export interface TicketChange {
  readonly currentAttemptId?: string | null | SQL;
  readonly attemptCount?: number | SQL;
  readonly nextEligibleAt?: Date | null | SQL;
  readonly extraAttempts?: number | SQL;
  readonly hold?: string | null;
  readonly assignee?: string | null;
  readonly priority?: Priority;
}

/** A state guard: `from` (the ticket must still be in it), and `to` for a transition. */
type StateGuard =
  | { readonly from: TicketState; readonly to?: TicketState }
  | { readonly from?: never; readonly to?: never };

export type CasTicketInput = StateGuard & {
  /** The ticket's key (unique). */
  readonly key: string;
  /** The version the caller read: the update applies only while the ticket is still at it. */
  readonly expectedVersion: number;
  /** Only while the ticket is not held (a hold never stacks on another). */
  readonly unheld?: boolean;
  readonly set?: TicketChange;
  readonly event: {
    readonly actor: Actor;
    readonly reason: TicketEventReason;
    readonly attemptId?: string | undefined;
    readonly detail?: Record<string, unknown> | undefined;
  };
  readonly at: Date;
};

export type CasResult = Applied | TransitionConflict | NotFound;

/**
 * Sets `set` (and `to`, if given) on ticket `key` if, and only if, it is still at
 * `expectedVersion` (and in `from`, and unheld, when asked), bumps the version, and appends the
 * event (from → to, or the unchanged state for a field change) with its mirror job.
 */
export async function casTicket(tx: Transaction, input: CasTicketInput): Promise<CasResult> {
  const [row] = await tx
    .update(tickets)
    .set({
      ...input.set,
      ...(input.to === undefined ? {} : { state: input.to }),
      version: input.expectedVersion + 1,
      updatedAt: input.at,
    })
    .where(
      and(
        eq(tickets.key, input.key),
        eq(tickets.version, input.expectedVersion),
        input.from === undefined ? undefined : eq(tickets.state, input.from),
        input.unheld ? isNull(tickets.hold) : undefined,
      ),
    )
    .returning();
  if (!row)
    return explainMiss(tx, { ticket: input.key, from: input.from, expectedVersion: input.expectedVersion });
  const event = await appendEvent(tx, {
    ticketId: row.id,
    from: input.from ?? row.state,
    to: row.state,
    actor: input.event.actor,
    reason: input.event.reason,
    version: row.version,
    attemptId: input.event.attemptId,
    detail: input.event.detail,
    at: input.at,
  });
  return { ok: true, ticket: row, event };
}

/**
 * Zero rows updated: either the ticket does not exist or someone else changed it first. Without a
 * `from` (a field change), the expected state is the one the ticket is in now.
 */
export async function explainMiss(
  tx: Executor,
  request: { ticket: string; from?: TicketState | undefined; expectedVersion: number },
): Promise<TransitionConflict | NotFound> {
  const [current] = await tx
    .select({
      state: tickets.state,
      version: tickets.version,
      attemptId: attempts.id,
      worker: attempts.worker,
      eventActorKind: ticketEvents.actorKind,
      eventActorId: ticketEvents.actorId,
      eventReason: ticketEvents.reason,
      eventAt: ticketEvents.createdAt,
    })
    .from(tickets)
    .leftJoin(attempts, eq(attempts.id, tickets.currentAttemptId))
    // The latest event, in the same round trip: it names who won when no attempt holds the ticket.
    .leftJoin(
      ticketEvents,
      eq(ticketEvents.id, sql`(select max(e.id) from ${ticketEvents} e where e.ticket_id = ${tickets.id})`),
    )
    .where(eq(tickets.key, request.ticket));
  if (!current) return { ok: false, code: "not_found", message: `no ticket ${request.ticket}` };
  const holder: Holder | null =
    current.attemptId && current.worker ? { attemptId: current.attemptId, worker: current.worker } : null;
  const lastChange: LastChange | null =
    current.eventActorKind && current.eventActorId && current.eventReason && current.eventAt
      ? {
          actor: { kind: current.eventActorKind, id: current.eventActorId },
          reason: current.eventReason,
          at: current.eventAt,
        }
      : null;
  const heldBy = holder ? `, held by ${holder.worker} (attempt ${holder.attemptId})` : "";
  // Without a holder (a person moved or held the ticket) the latest event is the only way to say who won.
  const changedBy =
    !holder && lastChange
      ? `, changed by ${lastChange.actor.kind} ${lastChange.actor.id} (${lastChange.reason}) at ${lastChange.at.toISOString()}`
      : "";
  return {
    ok: false,
    code: "conflict",
    message:
      `${request.ticket} changed first: expected ${request.from ?? current.state} v${request.expectedVersion}, ` +
      `found ${current.state} v${current.version}${heldBy}${changedBy}`,
    current: { state: current.state, version: current.version, holder, lastChange },
  };
}
