import { and, desc, eq } from "drizzle-orm";
import type { Executor } from "../db/database.js";
import { type WebhookDeliveryRow, webhookDeliveries } from "../db/schema.js";
import type { StoreDeps } from "./deps.js";

export interface NewDelivery {
  readonly deliveryId: string;
  readonly event: string;
  readonly action: string | null;
  readonly repository: string | null;
  /**
   * How long a `received` record of this delivery (its handler still running) holds before a
   * redelivery may take it over: the process that recorded it died mid-handler. Default 60 s.
   */
  readonly leaseMs?: number | undefined;
}

export const DEFAULT_DELIVERY_LEASE_MS = 60_000;

/**
 * `fresh`: first time this delivery id is seen, handle it; `taken_over`: its earlier record stayed
 * `received` past the lease (the handler never finished), handle it again; `duplicate`: a
 * redelivery of a handled delivery, or of one whose handler is still within its lease: do nothing.
 */
export type RecordDeliveryResult =
  | { readonly ok: true; readonly code: "fresh" }
  | { readonly ok: true; readonly code: "taken_over"; readonly previous: WebhookDeliveryRow }
  | { readonly ok: false; readonly code: "duplicate"; readonly first: WebhookDeliveryRow };

/**
 * Records a delivery by its `X-GitHub-Delivery` id. The insert is the dedupe: of two replicas
 * receiving the same delivery, exactly one gets `fresh`. A delivery whose handler failed is
 * forgotten (see `failDelivery`) so GitHub's redelivery runs it again. A record left `received`
 * longer than the lease (the process crashed between recording and finishing) is taken over by a
 * compare-and-set on its `received_at`: of several redeliveries exactly one wins; a `handled`
 * record is never taken over.
 */
export async function recordDelivery(deps: StoreDeps, input: NewDelivery): Promise<RecordDeliveryResult> {
  const { leaseMs = DEFAULT_DELIVERY_LEASE_MS, ...delivery } = input;
  const now = deps.clock.now();
  const [row] = await deps.db
    .insert(webhookDeliveries)
    .values({ ...delivery, status: "received", receivedAt: now })
    .onConflictDoNothing()
    .returning({ deliveryId: webhookDeliveries.deliveryId });
  if (row) return { ok: true, code: "fresh" };
  const [first] = await deps.db
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.deliveryId, delivery.deliveryId));
  if (!first) return recordDelivery(deps, input); // deleted between the two statements: try again
  if (first.status !== "received" || now.getTime() - first.receivedAt.getTime() < leaseMs)
    return { ok: false, code: "duplicate", first };
  const [taken] = await deps.db
    .update(webhookDeliveries)
    .set({ ...delivery, receivedAt: now })
    .where(
      and(
        eq(webhookDeliveries.deliveryId, delivery.deliveryId),
        eq(webhookDeliveries.status, "received"),
        eq(webhookDeliveries.receivedAt, first.receivedAt),
      ),
    )
    .returning({ deliveryId: webhookDeliveries.deliveryId });
  if (taken) return { ok: true, code: "taken_over", previous: first };
  // Another redelivery took it over (or it was handled or forgotten) in between: decide again.
  return recordDelivery(deps, input);
}

/**
 * Ends a delivery: `handled` with the handler's outcome code, or, when the handler threw, the row
 * is removed so that a redelivery of the same id is handled again (handlers are idempotent).
 */
export async function finishDelivery(
  deps: StoreDeps,
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
