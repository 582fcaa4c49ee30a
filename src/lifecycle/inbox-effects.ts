import { and, eq } from "drizzle-orm";
import type { Actor } from "../domain/actors.js";
import type { Transaction } from "../db/database.js";
import { type TicketEventRow, type TicketRow, tickets } from "../db/schema.js";
import { appendEvent } from "./events.js";

/**
 * Holds set and released by inbox decisions. A hold keeps a `todo` ticket out of the dispatcher's
 * queue; it is not a state change, so it is a version bump plus a `held` / `hold_released` event,
 * compare-and-set on the version the caller read under its row lock.
 */

export type HoldChange =
  | { readonly ok: true; readonly ticket: TicketRow; readonly event: TicketEventRow }
  | { readonly ok: false; readonly message: string };

export async function setHold(
  tx: Transaction,
  now: Date,
  ticket: TicketRow,
  hold: string,
  actor: Actor,
  detail: Record<string, unknown>,
): Promise<HoldChange> {
  if (ticket.state !== "todo" || ticket.hold !== null)
    return { ok: false, message: `${ticket.key} is ${ticket.state}${ticket.hold ? ", already held" : ""}` };
  return bump(tx, now, ticket, hold, actor, "held", { hold, ...detail });
}

export async function releaseHold(
  tx: Transaction,
  now: Date,
  ticket: TicketRow,
  actor: Actor,
  detail: Record<string, unknown>,
): Promise<HoldChange> {
  if (ticket.hold === null) return { ok: false, message: `${ticket.key} is not held` };
  return bump(tx, now, ticket, null, actor, "hold_released", { released: ticket.hold, ...detail });
}

async function bump(
  tx: Transaction,
  now: Date,
  ticket: TicketRow,
  hold: string | null,
  actor: Actor,
  reason: string,
  detail: Record<string, unknown>,
): Promise<HoldChange> {
  const [row] = await tx
    .update(tickets)
    .set({ hold, version: ticket.version + 1, updatedAt: now })
    .where(and(eq(tickets.id, ticket.id), eq(tickets.version, ticket.version)))
    .returning();
  if (!row) return { ok: false, message: `${ticket.key} changed meanwhile` };
  const event = await appendEvent(tx, {
    ticketId: row.id,
    from: row.state,
    to: row.state,
    actor,
    reason,
    version: row.version,
    detail,
    at: now,
  });
  return { ok: true, ticket: row, event };
}
