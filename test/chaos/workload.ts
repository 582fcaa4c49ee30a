/**
 * The workload: tickets whose titles tell the scripted agent what to do (history.ts: kinds), with
 * seeded kinds and priorities. Most exist before the processes start; the rest arrive while the
 * chaos runs, so claims interleave with creation.
 */
import { PRIORITIES } from "../../src/domain/priorities.js";
import type { Lifecycle } from "../../src/lifecycle/index.js";
import { TICKET_KINDS, type TicketKind } from "./history.js";
import type { Rng } from "./prng.js";

/** How often each kind occurs. */
export const KIND_WEIGHTS: Readonly<Record<TicketKind, number>> = {
  succeed: 50,
  ask: 10,
  fail: 7,
  hang: 10,
  flaky: 15,
  linger: 8,
};

export interface PlannedTicket {
  readonly title: string;
  readonly kind: TicketKind;
  readonly priority: (typeof PRIORITIES)[number];
  /** Created before the processes start, or this many milliseconds after. */
  readonly atMs: number;
}

/**
 * The tickets of a run: `count` of them, `upfront` (a fraction) created before the start, kinds
 * drawn with `weights` (default KIND_WEIGHTS).
 */
export function planWorkload(
  rng: Rng,
  count: number,
  options: { upfront: number; spreadMs: number; weights?: Readonly<Record<TicketKind, number>> },
): PlannedTicket[] {
  return Array.from({ length: count }, (_, i) => {
    const kind = rng.weighted(options.weights ?? KIND_WEIGHTS);
    const priority = PRIORITIES[rng.int(0, PRIORITIES.length - 1)] ?? "normal";
    const atMs = rng.chance(options.upfront) ? 0 : Math.round(rng.between(0, options.spreadMs));
    return { title: `Chaos ticket ${i + 1} [${kind}]`, kind, priority, atMs };
  });
}

/** Creates planned tickets through the lifecycle (as the person who files them). */
export async function createTickets(
  lifecycle: Lifecycle,
  tickets: readonly PlannedTicket[],
  repository: string,
): Promise<Map<string, TicketKind>> {
  const kinds = new Map<string, TicketKind>();
  for (const planned of tickets) {
    const created = await lifecycle.createTicket(
      {
        repository,
        title: planned.title,
        body: `Scripted for the chaos harness: the agent will ${planned.kind}.`,
        priority: planned.priority,
      },
      { kind: "human", id: "alice" },
    );
    if (!created.ok) throw new Error(`cannot create "${planned.title}": ${created.message}`);
    kinds.set(created.ticket.key, planned.kind);
  }
  return kinds;
}

/** Kind weights from `succeed=5,linger=1` (kinds left out get 0); throws on an unknown kind. */
export function parseKindWeights(text: string): Record<TicketKind, number> {
  const weights = Object.fromEntries(TICKET_KINDS.map((k) => [k, 0])) as Record<TicketKind, number>;
  for (const part of text.split(",")) {
    const [name = "", value = "1"] = part.split("=").map((s) => s.trim());
    const kind = TICKET_KINDS.find((k) => k === name);
    if (!kind) throw new Error(`unknown kind "${name}" (kinds: ${TICKET_KINDS.join(", ")})`);
    weights[kind] = Number(value);
  }
  return weights;
}
