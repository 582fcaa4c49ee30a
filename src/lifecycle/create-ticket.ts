import { inArray, sql } from "drizzle-orm";
import { formatTicketKey } from "../domain/ticket-key.js";
import { queryRows } from "../db/database.js";
import { retryTransaction } from "../db/retry.js";
import { tickets } from "../db/schema.js";
import type { LifecycleDeps } from "./deps.js";
import { appendEvent } from "./events.js";
import type { CreateTicketResult } from "./results.js";
import { ActorSchema, NewTicketSchema, type NewTicket } from "./schemas.js";
import { validate } from "./validation.js";
import type { Actor } from "../domain/actors.js";

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
      // The key carries the row id, so take the id from the identity sequence first.
      const [next] = await queryRows<{ id: string }>(
        tx,
        sql`select nextval(pg_get_serial_sequence('tickets', 'id'))::text as id`,
      );
      const id = Number(next?.id);
      const now = deps.clock.now();
      const [row] = await tx
        .insert(tickets)
        .values({ id, key: formatTicketKey(deps.keyPrefix, id), ...ticket, createdAt: now, updatedAt: now })
        .returning();
      if (!row) throw new Error("ticket insert returned no row");
      const event = await appendEvent(tx, {
        ticketId: row.id,
        from: null,
        to: row.state,
        actor: who.value,
        reason: "created",
        version: row.version,
        at: now,
      });
      return { ok: true, ticket: row, event };
    }),
  );
}
