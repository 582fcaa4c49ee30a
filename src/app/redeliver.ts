import type { Octokit } from "@octokit/rest";
import type { Clock, Store } from "../store/index.js";
import { DEFAULT_DELIVERY_LEASE_MS } from "../store/webhook-deliveries.js";

/** One delivery GitHub lists for the app (`GET /app/hook/deliveries`), the fields we read. */
export interface ListedDelivery {
  readonly id: number;
  readonly guid: string;
  readonly event: string;
  readonly action?: string | null;
  readonly status_code: number;
  readonly delivered_at: string;
  readonly redelivery: boolean;
}

export type RedeliveryDecision =
  | { readonly guid: string; readonly id: number; readonly event: string; readonly decision: "redeliver" }
  | {
      readonly guid: string;
      readonly id: number;
      readonly event: string;
      readonly decision: "skip";
      readonly reason: "recorded" | "succeeded_later";
    };

/**
 * Which failed deliveries to ask again for (a pure plan): per GUID, only when no attempt succeeded
 * and the app has no record of it. The newest failed attempt of each GUID is the one redelivered.
 */
export function planRedeliveries(
  listed: readonly ListedDelivery[],
  recorded: ReadonlySet<string>,
): RedeliveryDecision[] {
  const byGuid = new Map<string, ListedDelivery[]>();
  for (const delivery of listed) byGuid.set(delivery.guid, [...(byGuid.get(delivery.guid) ?? []), delivery]);
  const decisions: RedeliveryDecision[] = [];
  for (const [guid, attempts] of byGuid) {
    const failed = attempts.filter((a) => a.status_code < 200 || a.status_code >= 300);
    const latest = [...failed].sort((a, b) => b.id - a.id)[0];
    if (!latest) continue;
    const base = { guid, id: latest.id, event: latest.event };
    if (recorded.has(guid)) decisions.push({ ...base, decision: "skip", reason: "recorded" });
    else if (failed.length < attempts.length)
      decisions.push({ ...base, decision: "skip", reason: "succeeded_later" });
    else decisions.push({ ...base, decision: "redeliver" });
  }
  return decisions;
}

/**
 * Lists the app's deliveries, plans, and (unless `dryRun`) asks GitHub to redeliver. A delivery
 * the app recorded but whose handler never finished (still `received` after `deliveryLeaseMs`, the
 * app's `app.delivery_lease_seconds`: the process died mid-handler) counts as not recorded: its
 * redelivery is what the app takes over, so it must be asked for.
 */
export async function redeliverMissed(
  deps: { deliveries: Pick<Store["deliveries"], "find">; clock: Clock; appOctokit: Octokit },
  options: { dryRun: boolean; limit: number; deliveryLeaseMs?: number },
): Promise<RedeliveryDecision[]> {
  const listed: ListedDelivery[] = [];
  for await (const page of deps.appOctokit.paginate.iterator(
    deps.appOctokit.rest.apps.listWebhookDeliveries,
    {
      per_page: 100,
    },
  )) {
    listed.push(...(page.data as ListedDelivery[]));
    if (listed.length >= options.limit) break;
  }
  const leaseMs = options.deliveryLeaseMs ?? DEFAULT_DELIVERY_LEASE_MS;
  const now = deps.clock.now().getTime();
  const recorded = new Set<string>();
  for (const delivery of listed) {
    const record = await deps.deliveries.find(delivery.guid);
    const abandoned = record?.status === "received" && now - record.receivedAt.getTime() >= leaseMs;
    if (record && !abandoned) recorded.add(delivery.guid);
  }
  const plan = planRedeliveries(listed, recorded);
  if (!options.dryRun)
    for (const decision of plan)
      if (decision.decision === "redeliver")
        await deps.appOctokit.rest.apps.redeliverWebhookDelivery({ delivery_id: decision.id });
  return plan;
}
