import type { LifecycleDeps } from "./deps.js";
import { claimDispatchSlot, releaseDispatchSlot } from "./dispatch-trigger-slots.js";
import {
  completeReevaluation,
  failReevaluation,
  findReevaluation,
  type NewReevaluation,
  reevaluationBacklog,
  requestReevaluation,
  takeReevaluations,
} from "./evidence-reevaluations.js";
import type { NewDelivery } from "./webhook-deliveries.js";
import { failDelivery, recentWebhookFailures, unresolvedWebhookFailures } from "./webhook-failures.js";

export type { NewReevaluation, TakenReevaluation } from "./evidence-reevaluations.js";
export type { UnresolvedWebhookFailure } from "./webhook-failures.js";

/**
 * The GitHub App's durable background work, merged into `lifecycle.app`: evidence re-evaluation
 * requests (src/lifecycle/evidence-reevaluations.ts), failed webhook handlers
 * (src/lifecycle/webhook-failures.ts) and prompt dispatch slots given back on failure
 * (src/lifecycle/dispatch-trigger-slots.ts).
 */
export function appWorkApi(deps: LifecycleDeps) {
  const { db } = deps;
  return {
    /** Prompt dispatch: take the repository's slot for this interval, give it back if the call failed. */
    dispatchSlot: {
      claim: (input: { repository: string; intervalMs: number }) => claimDispatchSlot(deps, input),
      release: (input: { repository: string; takenAt: Date }) => releaseDispatchSlot(deps, input),
    },
    failDelivery: (input: NewDelivery & { error: string }) => failDelivery(deps, input),
    webhookFailures: {
      unresolved: (input: { since: Date; limit: number }) => unresolvedWebhookFailures(db, input),
      recent: (input: { since: Date }) => recentWebhookFailures(db, input),
    },
    reevaluations: {
      request: (input: NewReevaluation) => requestReevaluation(deps, input),
      take: (input: { worker: string; leaseMs: number; limit: number }) => takeReevaluations(deps, input),
      complete: (input: { id: number; worker: string }) => completeReevaluation(deps, input),
      fail: (input: { id: number; worker: string; error: string; retryAt: Date }) =>
        failReevaluation(deps, input),
      backlog: () => reevaluationBacklog(db),
      findByDelivery: (deliveryId: string) => findReevaluation(db, deliveryId),
    },
  };
}
