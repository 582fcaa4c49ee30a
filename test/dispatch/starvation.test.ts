import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { runDispatchCycle } from "../../src/dispatch/cycle.js";
import { testDispatcher } from "../builders/dispatch.js";
import { givenTicket, manualClock, testLifecycle } from "../builders/tickets.js";
import { describeEachDriver } from "../helpers/databases.js";

describeEachDriver("ineligible tickets at the head of the queue", ({ db }) => {
  it("2,000 backing off and 1,000 refused by policy ahead of 10 eligible: all 10 claimed in the first cycle; each refusal reported once", async () => {
    const clock = manualClock(new Date("2026-01-01T00:00:00Z"));
    const lifecycle = testLifecycle(db(), clock);
    // Older than the eligible ones, so first in pick order: 1–2000 back off for a year, 2001–3000
    // are assigned to a person (the policy refuses them).
    await db().execute(sql`
      insert into tickets (id, key, repository, title, created_at, updated_at, next_eligible_at, assignee, attempt_count)
      select g, 'MC-' || g, 'acme/widgets', 'old ' || g,
             timestamptz '2025-01-01' + g * interval '1 second', timestamptz '2025-01-01',
             case when g <= 2000 then timestamptz '2027-01-01' end,
             case when g > 2000 then 'alice' end,
             case when g <= 2000 then 1 else 0 end
      from generate_series(1, 3000) g`);
    await db().execute(sql`select setval(pg_get_serial_sequence('tickets', 'id'), 3000)`);
    const eligible = [];
    for (let i = 0; i < 10; i++) eligible.push((await givenTicket(lifecycle, { title: `new ${i}` })).key);
    const deps = testDispatcher(lifecycle, { settings: { maxWorkers: 20, batchSize: 50, scanLimit: 1000 } });

    const first = await runDispatchCycle(deps);
    expect(first.decisions.filter((d) => d.code === "claimed").map((d) => d.ticket)).toEqual(eligible);
    expect(first.decisions.some((d) => d.code === "scan_limit_reached" || d.code === "backing_off")).toBe(
      false,
    );
    const reported = new Set<string>();
    const refusals = (decisions: typeof first.decisions) =>
      decisions.flatMap((d) => (d.code === "skipped_policy" ? [d.ticket] : []));
    // A page of refusals per cycle, each reported once, until all 1,000 were.
    let cycles = 0;
    for (let record = first; ; record = await runDispatchCycle(deps)) {
      cycles++;
      const skipped = refusals(record.decisions);
      if (!skipped.length) break;
      expect(skipped.length).toBeLessThanOrEqual(100);
      for (const key of skipped) {
        expect(reported.has(key), key).toBe(false);
        reported.add(key);
      }
      expect(record.decisions.length).toBeLessThanOrEqual(110);
    }
    expect(reported.size).toBe(1000);
    expect(cycles).toBe(11);
    // A changed ticket (a new version) is looked at again: reassigned to an agent, it is claimed.
    const mine = await lifecycle.findTicket("MC-2001");
    await lifecycle.issues.assign({
      ticket: mine ?? (undefined as never),
      assignee: "agent",
      actor: { kind: "human", id: "octocat" },
    });
    const next = await runDispatchCycle(deps);
    expect(next.decisions.filter((d) => d.code === "claimed").map((d) => d.ticket)).toEqual(["MC-2001"]);
  });

  it("a refusal behind the part of the queue a cycle read is reported once the queue reaches it, not before", async () => {
    const lifecycle = testLifecycle(db(), manualClock(new Date("2026-01-01T00:00:00Z")));
    // 150 eligible tickets, then one assigned to a person: a cycle claims 50 from a page of 100.
    await db().execute(sql`
      insert into tickets (id, key, repository, title, created_at, updated_at, assignee)
      select g, 'MC-' || g, 'acme/widgets', 't ' || g, timestamptz '2025-01-01' + g * interval '1 second',
             timestamptz '2025-01-01', case when g = 151 then 'alice' end
      from generate_series(1, 151) g`);
    await db().execute(sql`select setval(pg_get_serial_sequence('tickets', 'id'), 151)`);
    const deps = testDispatcher(lifecycle, {
      settings: { maxWorkers: 1000, batchSize: 50, scanLimit: 1000 },
    });
    const skipped = [];
    for (let cycle = 0; cycle < 4; cycle++) {
      const record = await runDispatchCycle(deps);
      skipped.push(record.decisions.flatMap((d) => (d.code === "skipped_policy" ? [d.ticket] : [])));
    }
    // Cycles 1 and 2 stop reading before MC-151; cycle 3 reads to the end of the queue.
    expect(skipped).toEqual([[], [], ["MC-151"], []]);
  });
});
