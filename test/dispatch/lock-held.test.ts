import { expect, it } from "vitest";
import { runDispatchCycle } from "../../src/dispatch/cycle.js";
import { testDispatcher } from "../builders/dispatch.js";
import { givenTicket, manualClock, testLifecycle } from "../builders/tickets.js";
import { describeEachDriver } from "../helpers/databases.js";

describeEachDriver("lock_held records", ({ db }) => {
  it("a dispatcher waiting on another's lease stores at most one lock_held record per lease term", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    await givenTicket(lifecycle, { title: "t" });
    await lifecycle.acquireLease({ name: "dispatch", holder: "other", ttlMs: 30_000 });
    const waiting = testDispatcher(lifecycle, { holder: "waiting" });
    for (let i = 0; i < 5; i++) {
      const record = await runDispatchCycle(waiting);
      expect(record).toMatchObject({ outcome: "lock_held", fencingToken: 1 });
      clock.advance(1_000);
    }
    // A second waiting dispatcher has a record of its own.
    await runDispatchCycle(testDispatcher(lifecycle, { holder: "third" }));
    let stored = await lifecycle.recentDispatchCycles(50);
    expect(stored.map((c) => [c.holder, c.outcome, c.fencingToken])).toEqual([
      ["third", "lock_held", 1],
      ["waiting", "lock_held", 1],
    ]);
    // The other dispatcher's next term (a new token) is a new term for the record too.
    clock.advance(30_000);
    await lifecycle.acquireLease({ name: "dispatch", holder: "other", ttlMs: 30_000 });
    for (let i = 0; i < 3; i++) await runDispatchCycle(waiting);
    stored = await lifecycle.recentDispatchCycles(50);
    expect(stored.filter((c) => c.holder === "waiting").map((c) => c.fencingToken)).toEqual([2, 1]);
    expect(stored).toHaveLength(3);
  });
});
