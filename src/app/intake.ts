import type { Store } from "../store/index.js";

/** The intake's port: the delivery records. */
export type IntakeStore = Pick<Store["deliveries"], "record" | "finish" | "fail">;

/** One webhook as the intake sees it: `X-GitHub-Delivery`, `X-GitHub-Event` and the parsed payload. */
export interface Delivery {
  readonly id: string;
  readonly name: string;
  readonly payload: unknown;
}

export type IntakeResult =
  | { readonly code: "handled"; readonly outcome: string }
  | { readonly code: "duplicate"; readonly outcome: string | null };

const field = (payload: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>(
    (value, key) =>
      value && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined,
    payload,
  );

/**
 * Records the delivery by id, then runs `handle` once: a redelivery of a handled id is a no-op.
 * A delivery recorded but never finished (the process died mid-handler) is run again by a
 * redelivery that arrives after `leaseMs` (default 60 s; `app.delivery_lease_seconds`).
 * A handler that throws leaves no delivery record (so GitHub's redelivery runs it again), only a
 * `webhook_failures` row the operator alerts on, and rethrows, so the webhook answers 500 and
 * GitHub marks the delivery failed.
 */
export async function intake(
  deliveries: IntakeStore,
  delivery: Delivery,
  handle: () => Promise<string>,
  options: { readonly leaseMs?: number | undefined } = {},
): Promise<IntakeResult> {
  const action = field(delivery.payload, "action");
  const repository = field(delivery.payload, "repository", "full_name");
  const record = {
    deliveryId: delivery.id,
    event: delivery.name,
    action: typeof action === "string" ? action : null,
    repository: typeof repository === "string" ? repository : null,
  };
  const recorded = await deliveries.record({ ...record, leaseMs: options.leaseMs });
  if (!recorded.ok) return { code: "duplicate", outcome: recorded.first.outcome };
  let outcome: string;
  try {
    outcome = await handle();
  } catch (error) {
    // Forgotten (so a redelivery runs it again) and kept as a failure, for the operator's alert.
    await deliveries.fail({ ...record, error: String(error) });
    throw error;
  }
  await deliveries.finish({ deliveryId: delivery.id, outcome });
  return { code: "handled", outcome };
}
