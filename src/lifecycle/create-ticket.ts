import { inArray, sql } from "drizzle-orm";
import type { z } from "zod";
import type { Transaction } from "../db/database.js";
import { queryRows } from "../db/database.js";
import { retryTransaction } from "../db/retry.js";
import type { TicketEventRow, TicketRow } from "../db/schema.js";
import { tickets } from "../db/schema.js";
import type { Actor } from "../domain/actors.js";
import { formatTicketKey } from "../domain/ticket-key.js";
import type { LifecycleDeps } from "./deps.js";
import { appendEvent } from "./events.js";
import type { CreateTicketResult, InvalidInput } from "./results.js";
import { ActorSchema, type NewTicket, NewTicketSchema } from "./schemas.js";
import { validate } from "./validation.js";

/** Creates a ticket in `todo` with its `created` event, in one transaction. */
export async function createTicket(
  deps: LifecycleDeps,
  input: NewTicket,
  actor: Actor,
): Promise<CreateTicketResult> {
  const valid = validate(NewTicketSchema, input, "ticket");
  if (!valid.ok) return valid;
  const who = validate(ActorSchema, actor, "actor");
  if (!who.ok) return who;
  const ticket = valid.value;

  return retryTransaction(() =>
    deps.db.transaction(async (tx): Promise<CreateTicketResult> => {
      if (ticket.blockedBy.length) {
        const found = await tx
          .select({ key: tickets.key })
          .from(tickets)
          .where(inArray(tickets.key, ticket.blockedBy));
        const missing = ticket.blockedBy.filter((key) => !found.some((row) => row.key === key));
        if (missing.length) {
          const message = `blockedBy names tickets that do not exist: ${missing.join(", ")}`;
          return { ok: false, code: "invalid_input", message, issues: [message] };
        }
      }
      const { row, event } = await insertTicket(tx, deps, ticket, who.value);
      return { ok: true, ticket: row, event };
    }),
  );
}

/** What a batch create did: every ticket created, or none and why (each problem names its item, from 1). */
export type CreateTicketsResult =
  | { readonly ok: true; readonly tickets: readonly TicketRow[] }
  | InvalidInput;

/**
 * Creates a batch of tickets, each in `todo` with its `created` event, all in one transaction:
 * every ticket is validated first, and a batch with one bad ticket creates none. `blockedBy` may
 * name existing tickets only.
 */
export async function createTickets(
  deps: LifecycleDeps,
  inputs: readonly NewTicket[],
  actor: Actor,
): Promise<CreateTicketsResult> {
  const who = validate(ActorSchema, actor, "actor");
  if (!who.ok) return who;
  const valid: z.infer<typeof NewTicketSchema>[] = [];
  const issues: string[] = [];
  inputs.forEach((input, i) => {
    const one = validate(NewTicketSchema, input, `ticket ${i + 1}`);
    if (one.ok) valid.push(one.value);
    else issues.push(one.message);
  });
  if (issues.length)
    return { ok: false, code: "invalid_input", message: `${issues.length} problem(s) in the batch`, issues };
  const blockers = [...new Set(valid.flatMap((t) => t.blockedBy))];
  return retryTransaction(() =>
    deps.db.transaction(async (tx): Promise<CreateTicketsResult> => {
      if (blockers.length) {
        const found = new Set(
          (await tx.select({ key: tickets.key }).from(tickets).where(inArray(tickets.key, blockers))).map(
            (row) => row.key,
          ),
        );
        const missing = blockers.filter((key) => !found.has(key));
        if (missing.length) {
          const message = `blockedBy names tickets that do not exist: ${missing.join(", ")}`;
          return { ok: false, code: "invalid_input", message, issues: [message] };
        }
      }
      const rows: TicketRow[] = [];
      for (const ticket of valid) rows.push((await insertTicket(tx, deps, ticket, who.value)).row);
      return { ok: true, tickets: rows };
    }),
  );
}

/**
 * Inside a caller's transaction: inserts a validated ticket with its `created` event. The key
 * carries the row id, so the id is taken from the identity sequence first.
 */
export async function insertTicket(
  tx: Transaction,
  deps: Pick<LifecycleDeps, "clock" | "keyPrefix">,
  ticket: z.infer<typeof NewTicketSchema>,
  actor: Actor,
  link: { issueNumber?: number } = {},
): Promise<{ row: TicketRow; event: TicketEventRow }> {
  const [next] = await queryRows<{ id: string }>(
    tx,
    sql`select nextval(pg_get_serial_sequence('tickets', 'id'))::text as id`,
  );
  const id = Number(next?.id);
  const now = deps.clock.now();
  const [row] = await tx
    .insert(tickets)
    .values({
      id,
      key: formatTicketKey(deps.keyPrefix, id),
      ...ticket,
      ...link,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  if (!row) throw new Error("ticket insert returned no row");
  const event = await appendEvent(tx, {
    ticketId: row.id,
    from: null,
    to: row.state,
    actor,
    reason: "created",
    version: row.version,
    detail: link.issueNumber === undefined ? undefined : { issueNumber: link.issueNumber },
    at: now,
  });
  return { row, event };
}
