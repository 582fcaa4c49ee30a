import { desc, eq } from "drizzle-orm";
import type { Executor } from "../db/database.js";
import { type WebhookDeliveryRow, webhookDeliveries } from "../db/schema.js";
import type { LifecycleDeps } from "./deps.js";

export interface NewDelivery {
  readonly deliveryId: string;
  readonly event: string;
  readonly action: string | null;
  readonly repository: string | null;
}

/** `fresh`: first time this delivery id is seen, handle it; `duplicate`: a redelivery, do nothing. */
export type RecordDeliveryResult =
  | { readonly ok: true; readonly code: "fresh" }
  | { readonly ok: false; readonly code: "duplicate"; readonly first: WebhookDeliveryRow };

/**
 * Records a delivery by its `X-GitHub-Delivery` id. The insert is the dedupe: of two replicas
 * receiving the same delivery, exactly one gets `fresh`. A delivery whose handler failed is
 * forgotten (see `finishDelivery`) so GitHub's redelivery runs it again.
 */
export async function recordDelivery(deps: LifecycleDeps, input: NewDelivery): Promise<RecordDeliveryResult> {
  const [row] = await deps.db
    .insert(webhookDeliveries)
    .values({ ...input, status: "received", receivedAt: deps.clock.now() })
    .onConflictDoNothing()
    .returning({ deliveryId: webhookDeliveries.deliveryId });
  if (row) return { ok: true, code: "fresh" };
  const [first] = await deps.db
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.deliveryId, input.deliveryId));
  if (!first) return recordDelivery(deps, input); // deleted between the two statements: try again
  return { ok: false, code: "duplicate", first };
}

/**
 * Ends a delivery: `handled` with the handler's outcome code, or, when the handler threw, the row
 * is removed so that a redelivery of the same id is handled again (handlers are idempotent).
 */
export async function finishDelivery(
  deps: LifecycleDeps,
  input: { deliveryId: string; outcome: string } | { deliveryId: string; error: string },
): Promise<void> {
  if ("error" in input) {
    await deps.db.delete(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, input.deliveryId));
    return;
  }
  await deps.db
    .update(webhookDeliveries)
    .set({ status: "handled", outcome: input.outcome, handledAt: deps.clock.now() })
    .where(eq(webhookDeliveries.deliveryId, input.deliveryId));
}

export async function findDelivery(
  db: Executor,
  deliveryId: string,
): Promise<WebhookDeliveryRow | undefined> {
  const [row] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, deliveryId));
  return row;
}

export async function recentDeliveries(db: Executor, limit: number): Promise<WebhookDeliveryRow[]> {
  return db.select().from(webhookDeliveries).orderBy(desc(webhookDeliveries.receivedAt)).limit(limit);
}
