import { eq } from "drizzle-orm";
import type { Actor } from "../domain/actors.js";
import { retryTransaction } from "../db/retry.js";
import { type InboxItemRow, inboxItems, tickets } from "../db/schema.js";
import type { LifecycleDeps } from "./deps.js";
import { type Fenced, fenced } from "./fence.js";
import { setHold } from "./inbox-effects.js";
import type { NotFound } from "./results.js";

export type HandOverResult =
  | { readonly ok: true; readonly item: InboxItemRow; readonly held: boolean }
  | Fenced
  | NotFound;

/**
 * The orchestrator has no rule for a delivered item: it goes back to `pending` for a person (with
 * its lease released, never marked acted). With `holdTicket`, a `todo` ticket is kept out of the
 * queue until that person decides, in the same transaction.
 */
export async function handOverItem(
  deps: LifecycleDeps,
  input: { itemId: number; delivery: number; why: string; holdTicket: boolean; actor: Actor },
): Promise<HandOverResult> {
  return retryTransaction(() =>
    deps.db.transaction(async (tx): Promise<HandOverResult> => {
      const now = deps.clock.now();
      const [item] = await tx.select().from(inboxItems).where(eq(inboxItems.id, input.itemId)).for("update");
      if (!item) return { ok: false, code: "not_found", message: `no inbox item ${input.itemId}` };
      if (item.state !== "delivered" || item.deliveryCount !== input.delivery)
        return fenced(
          `inbox item ${item.id} is ${item.state} (delivery ${item.deliveryCount}); delivery ${input.delivery} is no longer current`,
        );
      let held = false;
      if (input.holdTicket && item.ticketId !== null) {
        const [ticket] = await tx.select().from(tickets).where(eq(tickets.id, item.ticketId)).for("update");
        if (ticket?.state === "todo" && ticket.hold === null) {
          await setHold(tx, now, ticket, `inbox:${item.kind}`, input.actor, { inboxItem: item.id });
          held = true;
        }
      }
      const [row] = await tx
        .update(inboxItems)
        .set({
          state: "pending",
          audience: "person",
          deliveredTo: null,
          leaseExpiresAt: null,
          handoverNote: input.why,
          updatedAt: now,
        })
        .where(eq(inboxItems.id, item.id))
        .returning();
      if (!row) throw new Error("inbox hand-over returned no row");
      return { ok: true, item: row, held };
    }),
  );
}
