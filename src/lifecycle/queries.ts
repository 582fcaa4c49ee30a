import { type SQL, and, asc, count, desc, eq, gt, inArray, sql } from "drizzle-orm";
import { LIVE_ATTEMPT_STATUSES } from "../domain/attempts.js";
import type { TicketState } from "../domain/ticket-states.js";
import type { Priority } from "../domain/priorities.js";
import type { Executor } from "../db/database.js";
import {
  type AttemptRow,
  type TicketEventRow,
  type TicketRow,
  attempts,
  ticketEvents,
  tickets,
} from "../db/schema.js";
import { scopeCondition, type TicketScope } from "./candidates.js";

/** Read queries over tickets. Reads may run anywhere; writes go through the lifecycle only. */

export async function findTicket(db: Executor, key: string): Promise<TicketRow | undefined> {
  const [row] = await db.select().from(tickets).where(eq(tickets.key, key));
  return row;
}

export interface TicketFilter {
  readonly state?: TicketState | undefined;
  readonly priority?: Priority | undefined;
  readonly repository?: string | undefined;
  readonly limit?: number | undefined;
}

/** Tickets in pick order: priority, then age, then number. */
export async function listTickets(db: Executor, filter: TicketFilter = {}): Promise<TicketRow[]> {
  const conditions: SQL[] = [];
  if (filter.state) conditions.push(eq(tickets.state, filter.state));
  if (filter.priority) conditions.push(eq(tickets.priority, filter.priority));
  if (filter.repository) conditions.push(eq(tickets.repository, filter.repository));
  return db
    .select()
    .from(tickets)
    .where(and(...conditions))
    .orderBy(asc(tickets.priority), asc(tickets.createdAt), asc(tickets.id))
    .limit(filter.limit ?? 100);
}

/** Every event of a ticket, oldest first. */
export async function ticketHistory(db: Executor, ticketId: number): Promise<TicketEventRow[]> {
  return db
    .select()
    .from(ticketEvents)
    .where(eq(ticketEvents.ticketId, ticketId))
    .orderBy(asc(ticketEvents.id));
}

export async function latestEvent(db: Executor, ticketId: number): Promise<TicketEventRow | undefined> {
  const [row] = await db
    .select()
    .from(ticketEvents)
    .where(eq(ticketEvents.ticketId, ticketId))
    .orderBy(desc(ticketEvents.id))
    .limit(1);
  return row;
}

export async function findAttempt(db: Executor, attemptId: string): Promise<AttemptRow | undefined> {
  const [row] = await db.select().from(attempts).where(eq(attempts.id, attemptId));
  return row;
}

/** Every attempt of a ticket, oldest first. */
export async function attemptsOf(db: Executor, ticketId: number): Promise<AttemptRow[]> {
  return db.select().from(attempts).where(eq(attempts.ticketId, ticketId)).orderBy(asc(attempts.number));
}

export async function findTicketById(db: Executor, id: number): Promise<TicketRow | undefined> {
  const [row] = await db.select().from(tickets).where(eq(tickets.id, id));
  return row;
}

/** Live attempts at `now` by the repository of their ticket, within `scope`. */
export async function countLiveAttemptsByRepository(
  db: Executor,
  now: Date,
  scope: TicketScope,
): Promise<Map<string, number>> {
  const rows = await db
    .select({ repository: tickets.repository, n: count() })
    .from(attempts)
    .innerJoin(tickets, eq(tickets.id, attempts.ticketId))
    .where(
      and(
        inArray(attempts.status, [...LIVE_ATTEMPT_STATUSES]),
        gt(attempts.leaseExpiresAt, now),
        scopeCondition(scope),
      ),
    )
    .groupBy(tickets.repository);
  return new Map(rows.map((row) => [row.repository, Number(row.n)]));
}

/** Whether the database answers at all (the health check's probe). */
export async function pingDatabase(db: Executor): Promise<void> {
  await db.execute(sql`select 1`);
}
