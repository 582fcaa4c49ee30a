import { type SQL, sql } from "drizzle-orm";
import { queryRows, type Transaction } from "../db/database.js";
import { columnList } from "../db/sql-rows.js";
import { mirrorJobs, type TicketEventRow, ticketEvents } from "../db/schema.js";
import type { Actor } from "../domain/actors.js";
import type { TicketEventReason } from "../domain/ticket-events.js";
import type { TicketState } from "../domain/ticket-states.js";

export interface EventInput {
  readonly ticketId: number;
  readonly from: TicketState | null;
  readonly to: TicketState;
  readonly actor: Actor;
  readonly reason: TicketEventReason;
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
  // One statement for the event and its mirror job (the outbox: every event is mirrored to the
  // ticket's issue, and never lost), so a change costs one round trip less. Only the id is new:
  // returning the whole row would cost a second decode of what we just sent.
  const [inserted] = await queryRows<{ id: string | number }>(
    tx,
    sql`with event as (
          insert into ${ticketEvents} (${columnList(ticketEvents.ticketId, ticketEvents.fromState, ticketEvents.toState, ticketEvents.actorKind, ticketEvents.actorId, ticketEvents.reason, ticketEvents.version, ticketEvents.attemptId, ticketEvents.detail, ticketEvents.createdAt)})
          values (${row.ticketId}, ${row.fromState}, ${row.toState}, ${row.actorKind}, ${row.actorId},
                  ${row.reason}, ${row.version}, ${row.attemptId}, ${JSON.stringify(row.detail)}::jsonb, ${row.createdAt})
          returning ${ticketEvents.id})
        insert into ${mirrorJobs} (${columnList(mirrorJobs.ticketId, mirrorJobs.eventId, mirrorJobs.createdAt, mirrorJobs.nextAttemptAt)})
        select ${row.ticketId}, id, ${row.createdAt}, ${row.createdAt} from event
        returning ${mirrorJobs.eventId} as id`,
  );
  if (!inserted) throw new Error("event insert returned no row");
  return { id: Number(inserted.id), ...row };
}

/**
 * For a change written as one statement: the CTEs `event` (the change's event, from `select`,
 * whose columns are ticket_id, from_state, to_state, actor_kind, actor_id, reason, version,
 * attempt_id, detail, created_at) and `mirror_job` (its mirror job), to follow the change's own
 * CTE in a WITH list. `event` returns `id`.
 */
export function eventCtes(select: SQL, at: Date): SQL {
  return sql`event as (
      insert into ${ticketEvents} (${columnList(ticketEvents.ticketId, ticketEvents.fromState, ticketEvents.toState, ticketEvents.actorKind, ticketEvents.actorId, ticketEvents.reason, ticketEvents.version, ticketEvents.attemptId, ticketEvents.detail, ticketEvents.createdAt)})
      ${select}
      returning ${ticketEvents.id} as id, ${ticketEvents.ticketId} as ticket_id),
    mirror_job as (
      insert into ${mirrorJobs} (${columnList(mirrorJobs.ticketId, mirrorJobs.eventId, mirrorJobs.createdAt, mirrorJobs.nextAttemptAt)})
      select ticket_id, id, ${at}, ${at} from event)`;
}
