import type { TicketRow } from "../../db/schema.js";
import type { Lifecycle } from "../../lifecycle/index.js";
import { encodeCursor, type TicketListQuery } from "./query.js";

export interface TicketPage {
  readonly items: TicketRow[];
  readonly nextCursor: string | null;
}

/**
 * One page of tickets in pick order (priority, created_at, id), after the cursor's position: the
 * lifecycle's keyset read asked for one ticket more than the page, so a next cursor is only handed
 * out when there is a next page.
 */
export async function ticketPage(
  lifecycle: Pick<Lifecycle, "listTicketsAfter">,
  query: TicketListQuery,
  repositories: readonly string[] | null = null,
): Promise<TicketPage> {
  const rows = await lifecycle.listTicketsAfter({
    state: query.state,
    assignee: query.assignee,
    campaign: query.campaign,
    after: query.cursor,
    repositories,
    limit: query.limit + 1,
  });
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
