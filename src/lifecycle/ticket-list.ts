import { and, asc, eq, type SQL, sql } from "drizzle-orm";
import type { Executor } from "../db/database.js";
import { type TicketRow, tickets } from "../db/schema.js";
import type { Priority } from "../domain/priorities.js";
import type { TicketState } from "../domain/ticket-states.js";
import { scopeCondition } from "./candidates.js";

/** A position in pick order; `createdMicros` is created_at as exact epoch microseconds. */
export interface TicketListPosition {
  readonly priority: Priority;
  readonly createdMicros: string;
  readonly id: number;
}

export interface TicketListFilter {
  readonly state?: TicketState | undefined;
  readonly assignee?: string | undefined;
  readonly campaign?: string | undefined;
  /** Only tickets of these repositories (`owner/name`, any case); null or absent: every repository. */
  readonly repositories?: readonly string[] | null | undefined;
  /** Only tickets after this position (keyset pagination). */
  readonly after?: TicketListPosition | null | undefined;
  readonly limit: number;
}

/** A listed ticket with its exact position, from which the reader builds its next cursor. */
export interface ListedTicket {
  readonly ticket: TicketRow;
  readonly createdMicros: string;
}

/** created_at as exact epoch microseconds (a JS Date keeps only milliseconds). */
const createdMicros = sql<string>`(extract(epoch from ${tickets.createdAt}) * 1000000)::bigint::text`;

/**
 * Up to `limit` tickets in pick order (priority, created_at, id) after `after` (keyset pagination:
 * stable while tickets are added, no offset scans). A read: no writes here.
 */
export async function listTicketsAfter(db: Executor, filter: TicketListFilter): Promise<ListedTicket[]> {
  const conditions: SQL[] = [];
  if (filter.state) conditions.push(eq(tickets.state, filter.state));
  if (filter.assignee) conditions.push(eq(tickets.assignee, filter.assignee));
  if (filter.campaign) conditions.push(eq(tickets.campaign, filter.campaign));
  const scope = scopeCondition({ owner: null, repositories: filter.repositories ?? null });
  if (scope) conditions.push(scope);
  const after = filter.after;
  if (after) {
    conditions.push(
      sql`(${tickets.priority}, ${tickets.createdAt}, ${tickets.id}) > (${after.priority}::ticket_priority, timestamptz 'epoch' + ${after.createdMicros}::bigint * interval '1 microsecond', ${after.id}::bigint)`,
    );
  }
  return db
    .select({ ticket: tickets, createdMicros })
    .from(tickets)
    .where(and(...conditions))
    .orderBy(asc(tickets.priority), asc(tickets.createdAt), asc(tickets.id))
    .limit(filter.limit);
}
