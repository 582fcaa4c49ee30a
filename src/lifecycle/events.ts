import type { Actor } from "../domain/actors.js";
import type { TicketState } from "../domain/ticket-states.js";
import type { Transaction } from "../db/database.js";
import { type TicketEventRow, ticketEvents } from "../db/schema.js";
import { enqueueMirrorJob } from "./mirror-outbox.js";

export interface EventInput {
  readonly ticketId: number;
  readonly from: TicketState | null;
  readonly to: TicketState;
  readonly actor: Actor;
  readonly reason: string;
  readonly version: number;
  readonly attemptId?: string | undefined;
  readonly detail?: Record<string, unknown> | undefined;
  readonly at: Date;
}

/**
 * Appends the event of a ticket change. Called only inside the transaction that makes the change,
 * so a change and its event are written together or not at all.
 */
export async function appendEvent(tx: Transaction, input: EventInput): Promise<TicketEventRow> {
  const row = {
    ticketId: input.ticketId,
    fromState: input.from,
    toState: input.to,
    actorKind: input.actor.kind,
    actorId: input.actor.id,
    reason: input.reason,
    version: input.version,
    attemptId: input.attemptId ?? null,
    detail: input.detail ?? {},
    createdAt: input.at,
  };
  // Only the id is new: returning the whole row would cost a second decode of what we just sent.
  const [inserted] = await tx.insert(ticketEvents).values(row).returning({ id: ticketEvents.id });
  if (!inserted) throw new Error("event insert returned no row");
  // The mirror outbox: every event is mirrored to the ticket's issue, and never lost (same transaction).
  await enqueueMirrorJob(tx, { ticketId: input.ticketId, eventId: inserted.id, at: input.at });
  return { id: inserted.id, ...row };
}
