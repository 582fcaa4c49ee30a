import { expect, it } from "vitest";
import { runDispatchCycle } from "../../src/dispatch/cycle.js";
import type { Decision } from "../../src/dispatch/decisions.js";
import type { Lifecycle } from "../../src/lifecycle/index.js";
import { testDispatcher } from "../builders/dispatch.js";
import { givenTicket, manualClock, testLifecycle } from "../builders/tickets.js";
import { describeEachDriver } from "../helpers/databases.js";

const boom = (what: string) => () => Promise.reject(new Error(`injected: ${what} failed`));

/**
 * One injected failure per phase of the cycle: the lifecycle operation (or the dispatcher's own
 * dependency) that phase calls throws once.
 */
const PHASES: {
  phase: string;
  inject: (lifecycle: Lifecycle) => Partial<Lifecycle>;
  deps?: Parameters<typeof testDispatcher>[1];
  /** Decisions made before the failure that the record keeps. */
  before?: string[];
  /** Whether the lease was taken before the failure. */
  leased: boolean;
}[] = [
  {
    phase: "settings",
    inject: (l) => ({ tasks: { ...l.tasks, setting: boom("settings") } }),
    leased: false,
  },
  { phase: "lease", inject: () => ({ acquireLease: boom("lease") }), leased: false },
  { phase: "queue", inject: () => ({ queuedRepositories: boom("queue") }), leased: true },
  {
    phase: "count",
    inject: () => ({}),
    deps: {
      repositorySources: () => {
        throw new Error("injected: count failed");
      },
    },
    leased: true,
  },
  { phase: "expire", inject: () => ({ findExpiredAttempts: boom("expire") }), leased: true },
  { phase: "needs_input", inject: () => ({ findAnsweredTickets: boom("needs_input") }), leased: true },
  {
    phase: "pick_claim_launch",
    // The first claim goes through, the second throws: the record keeps the first.
    inject: (l) => {
      let n = 0;
      return { claim: (input) => (++n === 2 ? boom("claim")() : l.claim(input)) };
    },
    before: ["claimed"],
    leased: true,
  },
  {
    phase: "record",
    // Storing the completed record throws; the failed record is stored instead.
    inject: (l) => ({
      recordDispatchCycle: (cycle) =>
        cycle.outcome === "completed" ? boom("record")() : l.recordDispatchCycle(cycle),
    }),
    before: ["claimed", "claimed"],
    leased: true,
  },
];

describeEachDriver("a dispatch cycle that throws", ({ db }) => {
  for (const c of PHASES) {
    it(`in its ${c.phase} phase records failed with the decisions so far, releases its lease and throws`, async () => {
      const clock = manualClock();
      const lifecycle = testLifecycle(db(), clock);
      await givenTicket(lifecycle, { title: "one" });
      await givenTicket(lifecycle, { title: "two" });
      const faulty: Lifecycle = { ...lifecycle, ...c.inject(lifecycle) };
      await expect(runDispatchCycle(testDispatcher(faulty, c.deps))).rejects.toThrow(
        `injected: ${c.phase === "pick_claim_launch" ? "claim" : c.phase} failed`,
      );
      const [stored] = await lifecycle.recentDispatchCycles(5);
      expect(stored).toMatchObject({ outcome: "failed", holder: "dispatcher-test" });
      const decisions = stored?.decisions as Decision[];
      expect(decisions.map((d) => d.code)).toEqual([...(c.before ?? []), "cycle_failed"]);
      expect(decisions.at(-1)).toEqual({
        code: "cycle_failed",
        phase: c.phase,
        error: expect.stringContaining("injected"),
      });
      expect(stored?.counts).toMatchObject({ cycle_failed: 1 });
      expect(stored?.fencingToken).toBe(c.leased ? 1 : null);
      if (c.leased)
        // Given back at once: another dispatcher takes it now, not at the end of the term.
        expect(await lifecycle.readLease("dispatch")).toMatchObject({ expiresAt: clock.now() });
      const next = testDispatcher(lifecycle, { holder: "next" });
      const record = await runDispatchCycle(next);
      expect(record.outcome).toBe("completed");
    });
  }

  it("a cycle whose failure cannot be recorded still throws the original error", async () => {
    const lifecycle = testLifecycle(db());
    await givenTicket(lifecycle, { title: "one" });
    const faulty: Lifecycle = {
      ...lifecycle,
      findExpiredAttempts: boom("expire"),
      recordDispatchCycle: boom("record"),
    };
    await expect(runDispatchCycle(testDispatcher(faulty))).rejects.toThrow("injected: expire failed");
    expect(await lifecycle.recentDispatchCycles(5)).toEqual([]);
    // The lease was still given back.
    const record = await runDispatchCycle(testDispatcher(lifecycle, { holder: "next" }));
    expect(record.outcome).toBe("completed");
  });
});
