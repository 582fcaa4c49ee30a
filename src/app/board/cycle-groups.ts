import type { DispatchCycleRow } from "../../db/schema.js";
import { type DecisionLine, decisionLine } from "./labels.js";

/**
 * Consecutive dispatch cycles that say the same thing, shown once: a dispatcher that runs every
 * minute over an unchanged queue writes the same record again and again, and five copies of it
 * filled the board's panel and hid the one cycle that differed.
 */
export interface CycleGroup {
  /** The newest cycle of the run (its decisions are the ones shown). */
  readonly latest: DispatchCycleRow;
  /** How many consecutive cycles the run holds (1: a cycle on its own). */
  readonly count: number;
  /** When the oldest and the newest cycle of the run started. */
  readonly from: Date;
  readonly to: Date;
  readonly lines: readonly DecisionLine[];
}

/**
 * What makes two cycles "the same" for a reader: outcome, dry run and every decision line (code,
 * ticket, detail). The holder and the times are left out on purpose: each run of `mctl dispatch`
 * has its own holder name, yet two runs that decided the same are a repeat.
 */
function sameness(cycle: DispatchCycleRow, lines: readonly DecisionLine[]): string {
  return JSON.stringify([cycle.outcome, cycle.dryRun, lines.map((l) => [l.code, l.ticket, l.detail])]);
}

/** Groups runs of identical consecutive cycles; `cycles` and the result are newest first. */
export function groupCycles(cycles: readonly DispatchCycleRow[]): CycleGroup[] {
  const groups: (CycleGroup & { key: string })[] = [];
  for (const cycle of cycles) {
    const lines = cycle.decisions.map(decisionLine);
    const key = sameness(cycle, lines);
    const last = groups.at(-1);
    if (last && last.key === key) {
      groups[groups.length - 1] = { ...last, count: last.count + 1, from: cycle.startedAt };
      continue;
    }
    groups.push({ key, latest: cycle, count: 1, from: cycle.startedAt, to: cycle.startedAt, lines });
  }
  return groups.map(({ key: _key, ...group }) => group);
}

/** `the same 5 cycles, 12:00–12:04` (UTC, with the date when the run spans days). */
export function describeRepeat(group: Pick<CycleGroup, "count" | "from" | "to">): string {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const hm = (d: Date) => d.toISOString().slice(11, 16);
  const span =
    day(group.from) === day(group.to)
      ? `${hm(group.from)}–${hm(group.to)}`
      : `${day(group.from)} ${hm(group.from)}–${day(group.to)} ${hm(group.to)}`;
  return `the same ${group.count} cycles, ${span} UTC`;
}
