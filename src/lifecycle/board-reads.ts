import { and, asc, desc, eq, type SQL, sql } from "drizzle-orm";
import { isTerminal, TICKET_STATES, type TicketState } from "../domain/ticket-states.js";
import { type Executor, queryRows } from "../db/database.js";
import { type AttemptRow, attempts, type TicketRow, tickets } from "../db/schema.js";
import type { Priority } from "../domain/priorities.js";
import { scopeCondition } from "./candidates.js";

/** Read-only queries behind the board page (src/app/board). Nothing here writes. */

export interface BoardFilter {
  readonly assignee?: string | undefined;
  readonly campaign?: string | undefined;
  /** Only tickets of these repositories (`owner/name`, any case); null or absent: every repository. */
  readonly repositories?: readonly string[] | null | undefined;
  readonly priority?: Priority | undefined;
  /** Cards per column at most (the column still reports its total). */
  readonly perColumn: number;
}

/** A ticket with the attempt that currently holds it (null when none does). */
export interface BoardCard {
  readonly ticket: TicketRow;
  readonly attempt: AttemptRow | null;
}

export interface BoardColumn {
  readonly state: TicketState;
  /** Tickets in this state that match the filter (may exceed `cards.length`). */
  readonly total: number;
  readonly cards: readonly BoardCard[];
}

/**
 * One column per ticket state, in the state machine's order (src/domain/ticket-states.ts). Open
 * states list their tickets in pick order (priority, age, number); `done` and `cancelled` list the
 * most recently changed first, since that is what a reader of a finished column looks for.
 */
export async function boardColumns(db: Executor, filter: BoardFilter): Promise<BoardColumn[]> {
  const conditions: SQL[] = [];
  if (filter.assignee !== undefined) conditions.push(eq(tickets.assignee, filter.assignee));
  if (filter.campaign !== undefined) conditions.push(eq(tickets.campaign, filter.campaign));
  if (filter.priority !== undefined) conditions.push(eq(tickets.priority, filter.priority));
  const scope = scopeCondition({ owner: null, repositories: filter.repositories ?? null });
  if (scope) conditions.push(scope);
  // One count per state, each an index-only range of `tickets_state_idx` (a `group by state` over
  // the whole table is a sequential scan once the table is large).
  const narrowed = conditions.length ? sql` and ${and(...conditions)}` : sql``;
  const totals = await queryRows<{ state: TicketState; total: string | number }>(
    db,
    sql`select s.state::text as state,
               (select count(*) from ${tickets} where ${tickets.state} = s.state${narrowed}) as total
        from unnest(enum_range(null::ticket_state)) as s(state)`,
  );
  const totalOf = (state: TicketState) => Number(totals.find((t) => t.state === state)?.total ?? 0);
  return Promise.all(
    TICKET_STATES.map(async (state): Promise<BoardColumn> => {
      const total = totalOf(state);
      if (total === 0) return { state, total, cards: [] };
      const order = isTerminal(state)
        ? [desc(tickets.updatedAt), desc(tickets.id)]
        : [asc(tickets.priority), asc(tickets.createdAt), asc(tickets.id)];
      const rows = await db
        .select({ ticket: tickets, attempt: attempts })
        .from(tickets)
        .leftJoin(attempts, eq(attempts.id, tickets.currentAttemptId))
        .where(and(eq(tickets.state, state), ...conditions))
        .orderBy(...order)
        .limit(filter.perColumn);
      return { state, total, cards: rows };
    }),
  );
}
