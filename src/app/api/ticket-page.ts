import { and, asc, eq, type SQL, sql } from "drizzle-orm";
import type { Executor } from "../../db/database.js";
import { type TicketRow, tickets } from "../../db/schema.js";
import { encodeCursor, type TicketListQuery } from "./query.js";

export interface TicketPage {
  readonly items: TicketRow[];
  readonly nextCursor: string | null;
}

/** created_at as exact epoch microseconds (a JS Date keeps only milliseconds). */
const createdMicros = sql<string>`(extract(epoch from ${tickets.createdAt}) * 1000000)::bigint::text`;

/**
 * One page of tickets in pick order (priority, created_at, id), after the cursor's position
 * (keyset pagination: stable while tickets are added, no offset scans). A read: no writes here.
 */
export async function ticketPage(db: Executor, query: TicketListQuery): Promise<TicketPage> {
  const conditions: SQL[] = [];
  if (query.state) conditions.push(eq(tickets.state, query.state));
  if (query.assignee) conditions.push(eq(tickets.assignee, query.assignee));
  if (query.campaign) conditions.push(eq(tickets.campaign, query.campaign));
  const after = query.cursor;
  if (after) {
    conditions.push(
      sql`(${tickets.priority}, ${tickets.createdAt}, ${tickets.id}) > (${after.priority}::ticket_priority, timestamptz 'epoch' + ${after.createdMicros}::bigint * interval '1 microsecond', ${after.id}::bigint)`,
    );
  }
  const rows = await db
    .select({ ticket: tickets, createdMicros })
    .from(tickets)
    .where(and(...conditions))
    .orderBy(asc(tickets.priority), asc(tickets.createdAt), asc(tickets.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const nextCursor =
    rows.length > query.limit && last
      ? encodeCursor({
          priority: last.ticket.priority,
          createdMicros: last.createdMicros,
          id: last.ticket.id,
        })
      : null;
  return { items: page.map((r) => r.ticket), nextCursor };
}
