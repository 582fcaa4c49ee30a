import type { Actor } from "../domain/actors.js";
import { INBOX_KINDS, type InboxDecision } from "../domain/inbox.js";
import type { InboxItemRow } from "../db/schema.js";
import type { Lifecycle, TaskSettingView } from "../lifecycle/index.js";
import { type OrchestratorRules, decideItem } from "./rules.js";

/**
 * Terminology of the orchestrator
 * - pass: one run of `mctl orchestrate`: check the task is enabled → deliver → decide → act.
 * - outcome: what the pass did with one delivered item: `acted` (a result written with its ticket
 *   change), `replayed` (someone acted first; their result stands), `handed_over` (left for a
 *   person), or `refused` (the lifecycle refused; the item stays delivered and comes back after
 *   its lease with fresh facts).
 */

export interface OrchestratorDeps {
  readonly inbox: Pick<Lifecycle["inbox"], "deliver" | "act" | "handOver" | "factsOf">;
  readonly setting: () => Promise<TaskSettingView>;
  readonly rules: OrchestratorRules;
  /** This orchestrator's name in deliveries and in ticket events. */
  readonly holder: string;
  readonly leaseMs: number;
  readonly batchSize: number;
  /** Runs after delivery and before any act (the crash tests stop the process here). */
  readonly afterDeliver?: (items: readonly InboxItemRow[]) => Promise<void>;
}

export interface ItemOutcome {
  readonly item: number;
  readonly kind: string;
  readonly ticket: string | null;
  readonly outcome: "acted" | "replayed" | "handed_over" | "refused";
  readonly decision: InboxDecision | null;
  readonly detail: string;
}

export type PassReport =
  | { readonly status: "paused"; readonly setting: TaskSettingView }
  | { readonly status: "completed"; readonly delivered: number; readonly outcomes: readonly ItemOutcome[] };

/** One orchestrator pass over the items delivered to it. */
export async function runOrchestratorPass(deps: OrchestratorDeps): Promise<PassReport> {
  const setting = await deps.setting();
  if (!setting.enabled) return { status: "paused", setting };
  const items = await deps.inbox.deliver({
    audience: "orchestrator",
    holder: deps.holder,
    leaseMs: deps.leaseMs,
    limit: deps.batchSize,
  });
  await deps.afterDeliver?.(items);
  const outcomes: ItemOutcome[] = [];
  for (const item of items) outcomes.push(await handle(deps, item));
  return { status: "completed", delivered: items.length, outcomes };
}

async function handle(deps: OrchestratorDeps, item: InboxItemRow): Promise<ItemOutcome> {
  const actor: Actor = { kind: "orchestrator", id: deps.holder };
  const facts = await deps.inbox.factsOf(item);
  const base = { item: item.id, kind: item.kind, ticket: facts.ticket?.key ?? null };
  const kind = INBOX_KINDS.find((k) => k === item.kind);
  const rule = kind
    ? decideItem(
        { kind, attemptId: item.attemptId, ticket: facts.ticket, latestVerdict: facts.latestVerdict },
        deps.rules,
      )
    : ({ action: "leave", why: `unknown kind ${item.kind}`, holdTicket: false } as const);
  if (rule.action === "leave") {
    const handed = await deps.inbox.handOver({
      itemId: item.id,
      delivery: item.deliveryCount,
      why: rule.why,
      holdTicket: rule.holdTicket,
      actor,
    });
    if (!handed.ok)
      return { ...base, outcome: "refused", decision: null, detail: `${handed.code}: ${handed.message}` };
    return {
      ...base,
      outcome: "handed_over",
      decision: null,
      detail: `${rule.why}${handed.held ? "; ticket held until then" : ""}`,
    };
  }
  const acted = await deps.inbox.act({
    itemId: item.id,
    delivery: item.deliveryCount,
    result: {
      decision: rule.decision,
      transition: rule.effect.transition,
      hold: rule.effect.hold,
      actor,
      note: rule.note,
    },
  });
  if (!acted.ok)
    return {
      ...base,
      outcome: "refused",
      decision: rule.decision,
      detail: `${acted.code}: ${acted.message}`,
    };
  const first = acted.result;
  const change = first.transition
    ? `${first.transition.from} → ${first.transition.to}`
    : first.hold
      ? `hold ${first.hold}`
      : "no ticket change";
  return {
    ...base,
    outcome: acted.replayed ? "replayed" : "acted",
    decision: first.decision,
    detail: acted.replayed
      ? `already acted by ${first.actor.kind}:${first.actor.id} (${change})`
      : `${change}: ${first.note}`,
  };
}
