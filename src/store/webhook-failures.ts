/**
 * Webhook deliveries whose handler threw (`webhook_failures`). The delivery record is removed so
 * that a redelivery runs the handler again, and the failure is kept, in the same transaction, for
 * the operator's `webhook_failures` alert (a failure counts until its delivery is handled).
 */
import { desc, eq, gte, sql } from "drizzle-orm";
import { type Executor, queryRows } from "../db/database.js";
import { webhookDeliveries, type WebhookFailureRow, webhookFailures } from "../db/schema.js";
import type { StoreDeps } from "./deps.js";
import type { NewDelivery } from "./webhook-deliveries.js";

/** Ends a delivery whose handler threw: forgotten (so it is retried) and recorded as a failure. */
export async function failDelivery(deps: StoreDeps, input: NewDelivery & { error: string }): Promise<void> {
  await deps.db.transaction(async (tx) => {
    await tx.delete(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, input.deliveryId));
    await tx.insert(webhookFailures).values({
      deliveryId: input.deliveryId,
      event: input.event,
      action: input.action,
      repository: input.repository,
      error: input.error.slice(0, 2000),
      failedAt: deps.clock.now(),
    });
  });
}

export interface UnresolvedWebhookFailure {
  readonly deliveryId: string;
  readonly event: string;
  readonly action: string | null;
  readonly repository: string | null;
  readonly failures: number;
  readonly lastError: string;
  readonly lastFailedAt: Date;
}

/**
 * Deliveries that failed since `since` and have not been handled since (no `handled` record of
 * that delivery id): what the operator alerts on. Newest first.
 */
export async function unresolvedWebhookFailures(
  db: Executor,
  input: { since: Date; limit: number },
): Promise<UnresolvedWebhookFailure[]> {
  const rows = await queryRows<{
    delivery_id: string;
    event: string;
    action: string | null;
    repository: string | null;
    failures: number;
    last_error: string;
    last_failed_at: Date | string;
  }>(
    db,
    sql`select f.delivery_id, max(f.event) as event, max(f.action) as action, max(f.repository) as repository,
          count(*)::int as failures,
          (array_agg(f.error order by f.failed_at desc))[1] as last_error,
          max(f.failed_at) as last_failed_at
        from ${webhookFailures} f
        where f.failed_at >= ${input.since}
          and not exists (select 1 from ${webhookDeliveries} d
                          where d.delivery_id = f.delivery_id and d.status = 'handled')
        group by f.delivery_id
        order by max(f.failed_at) desc
        limit ${input.limit}`,
  );
  return rows.map((r) => ({
    deliveryId: r.delivery_id,
    event: r.event,
    action: r.action,
    repository: r.repository,
    failures: r.failures,
    lastError: r.last_error,
    lastFailedAt: new Date(r.last_failed_at),
  }));
}

export async function recentWebhookFailures(
  db: Executor,
  input: { since: Date },
): Promise<WebhookFailureRow[]> {
  return db
    .select()
    .from(webhookFailures)
    .where(gte(webhookFailures.failedAt, input.since))
    .orderBy(desc(webhookFailures.failedAt));
}
