import { describe, expect, it } from "vitest";
import { renderBoardPage } from "../../src/app/board/board-page.js";
import { describeRepeat, groupCycles } from "../../src/app/board/cycle-groups.js";
import { decisionLine } from "../../src/app/board/labels.js";
import type { DispatchCycleRow } from "../../src/db/schema.js";

let nextId = 1;
/** A stored cycle that started at `hm` (UTC, 2026-01-01) with the given decisions. */
function cycle(
  hm: string,
  decisions: unknown[],
  overrides: Partial<DispatchCycleRow> = {},
): DispatchCycleRow {
  const startedAt = new Date(`2026-01-01T${hm}:00Z`);
  return {
    id: nextId++,
    holder: `runner-${nextId}`,
    fencingToken: nextId,
    outcome: "completed",
    dryRun: false,
    startedAt,
    finishedAt: new Date(startedAt.getTime() + 300),
    counts: {},
    decisions,
    timings: {},
    scope: null,
    ...overrides,
  };
}

const blocked = [{ code: "blocked", ticket: "MC-2", blockers: ["MC-1"] }];
const claimed = [{ code: "claimed", ticket: "MC-3", attempt: "a", worker: "agent", launchKey: "MC-3/1" }];

describe("the board's last dispatch cycles", () => {
  // Newest first, as the board reads them: five identical cycles, one that claimed, two identical.
  const cycles = [
    cycle("12:04", blocked),
    cycle("12:03", blocked),
    cycle("12:02", blocked),
    cycle("12:01", blocked),
    cycle("12:00", blocked),
    cycle("11:59", claimed),
    cycle("11:58", blocked),
    cycle("11:57", blocked, { outcome: "paused" }),
  ];

  it("groups identical consecutive cycles (whatever their holder) and keeps the one that differed", () => {
    const groups = groupCycles(cycles);
    expect(groups.map((g) => [g.latest.startedAt.toISOString().slice(11, 16), g.count])).toEqual([
      ["12:04", 5],
      ["11:59", 1],
      ["11:58", 1],
      ["11:57", 1],
    ]);
    expect(describeRepeat(groups[0] ?? { count: 0, from: new Date(), to: new Date() })).toBe(
      "the same 5 cycles, 12:00–12:04 UTC",
    );
    expect(
      describeRepeat({
        count: 2,
        from: new Date("2026-01-01T23:59:00Z"),
        to: new Date("2026-01-02T00:01:00Z"),
      }),
    ).toBe("the same 2 cycles, 2026-01-01 23:59–2026-01-02 00:01 UTC");
  });

  it("the panel says a repeat once, and shows the cycle that differed within the groups shown", () => {
    const page = renderBoardPage(
      {
        now: new Date("2026-01-01T12:05:00Z"),
        filter: {},
        columns: [],
        inbox: [],
        inboxLimit: 20,
        alerts: [],
        alertsLimit: 20,
        cycles,
        cycleGroupsShown: 2,
        tasks: [],
      },
      { nonce: "n", refreshSeconds: 15, partial: false },
    );
    const start = page.indexOf('aria-labelledby="cycles-heading"');
    const panel = page.slice(start, page.indexOf("</section>", start));
    expect(panel).toContain("(the same 5 cycles, 12:00–12:04 UTC)");
    expect(panel.match(/<code>blocked<\/code>/g)).toHaveLength(1);
    expect(panel.match(/<code>claimed<\/code>/g)).toHaveLength(1);
    expect(panel.match(/<strong>/g)).toHaveLength(2);
    expect(panel).not.toContain("paused");
  });

  it("names batch_limit, who changed a conflicting ticket and the fencing token a cycle lost", () => {
    expect(decisionLine({ code: "batch_limit", ticket: "MC-9", batchSize: 50, freeSlots: 3000 })).toEqual({
      code: "batch_limit",
      ticket: "MC-9",
      detail: "batch_size 50 reached",
    });
    const changedBy = {
      actor: { kind: "human", id: "alice" },
      reason: "cancelled",
      at: "2026-01-01T12:00:00Z",
    };
    expect(
      decisionLine({ code: "claim_conflict", ticket: "MC-1", state: "cancelled", holder: null, changedBy })
        .detail,
    ).toBe("now cancelled, changed by alice");
    expect(decisionLine({ code: "lease_lost", message: "taken over", fencingToken: 7 }).detail).toBe(
      "fencing token 7 lost",
    );
  });
});
