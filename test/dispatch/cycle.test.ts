import { expect, it } from "vitest";
import { describeDecision } from "../../src/cli/dispatch-report.js";
import { runDispatchCycle } from "../../src/dispatch/cycle.js";
import type { Decision } from "../../src/dispatch/decisions.js";
import type { Lifecycle } from "../../src/lifecycle/index.js";
import { failingSource, recordingLauncher, testDispatcher } from "../builders/dispatch.js";
import { givenTicket, human, manualClock, testLifecycle } from "../builders/tickets.js";
import { describeEachDriver } from "../helpers/databases.js";
import { failLaunched } from "../inbox/support.js";

const codes = (decisions: readonly Decision[]) =>
  decisions.map((d) => `${d.code}${"ticket" in d ? ` ${d.ticket}` : ""}`);

async function tickets(lifecycle: Lifecycle, n: number, overrides: Parameters<typeof givenTicket>[1] = {}) {
  const rows = [];
  for (let i = 0; i < n; i++) rows.push(await givenTicket(lifecycle, { title: `t${i}`, ...overrides }));
  return rows;
}

describeEachDriver("dispatch cycle", ({ db }) => {
  it("claims runnable tickets in pick order up to the free slots, launches each, and records the cycle", async () => {
    const lifecycle = testLifecycle(db());
    await givenTicket(lifecycle, { title: "low", priority: "low" });
    await givenTicket(lifecycle, { title: "urgent", priority: "urgent" });
    await givenTicket(lifecycle, { title: "normal" });
    const deps = testDispatcher(lifecycle, { settings: { maxWorkers: 2 } });
    const record = await runDispatchCycle(deps);
    expect(record.outcome).toBe("completed");
    expect(codes(record.decisions)).toEqual(["claimed MC-2", "claimed MC-3", "no_slot MC-1"]);
    expect(deps.launched).toEqual([
      expect.objectContaining({ ticket: "MC-2", launchKey: "MC-2/1" }),
      expect.objectContaining({ ticket: "MC-3", launchKey: "MC-3/1" }),
    ]);
    expect(record.counts).toMatchObject({ claimed: 2, no_slot: 1, workers: 0, free_slots: 2 });
    const [stored] = await lifecycle.recentDispatchCycles(1);
    expect(stored).toMatchObject({ outcome: "completed", holder: "dispatcher-test", counts: record.counts });
    // The slots are now taken by the two live attempts.
    const next = await runDispatchCycle(deps);
    expect(codes(next.decisions)).toEqual(["no_slot MC-1"]);
    expect(next.counts).toMatchObject({ workers: 2, free_slots: 0 });
  });

  it("a second dispatcher finding the lease held records lock_held and claims nothing", async () => {
    const lifecycle = testLifecycle(db());
    await tickets(lifecycle, 2);
    const held = await lifecycle.acquireLease({ name: "dispatch", holder: "other", ttlMs: 30_000 });
    const deps = testDispatcher(lifecycle);
    const record = await runDispatchCycle(deps);
    expect(record.outcome).toBe("lock_held");
    expect(record.decisions).toEqual([
      { code: "lock_held", holder: "other", until: held.ok ? held.expiresAt.toISOString() : "" },
    ]);
    expect(deps.launched).toEqual([]);
    expect((await lifecycle.listTickets({ state: "todo" })).length).toBe(2);
  });

  it("an expired dispatch lease is taken over", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    await tickets(lifecycle, 1);
    await lifecycle.acquireLease({ name: "dispatch", holder: "crashed", ttlMs: 30_000 });
    clock.advance(30_001);
    const record = await runDispatchCycle(testDispatcher(lifecycle));
    expect(record).toMatchObject({ outcome: "completed", fencingToken: 2 });
    expect(codes(record.decisions)).toEqual(["claimed MC-1"]);
  });

  it("fails closed: any worker-count source error means zero claims and worker_count_unavailable", async () => {
    const lifecycle = testLifecycle(db());
    await tickets(lifecycle, 3);
    for (const sources of [
      [failingSource("database", "connection reset")],
      [testDispatcher(lifecycle).sources[0], failingSource("github-workflow-runs", "HTTP 502")],
    ]) {
      const deps = testDispatcher(lifecycle, { sources: sources.filter((s) => s !== undefined) });
      const record = await runDispatchCycle(deps);
      expect(record.decisions[0]).toMatchObject({ code: "worker_count_unavailable" });
      expect(JSON.stringify(record.decisions[0])).toMatch(/connection reset|HTTP 502/);
      expect(record.counts).toMatchObject({ workers: 10, free_slots: 0 });
      expect(record.decisions.filter((d) => d.code === "claimed")).toEqual([]);
      expect(deps.launched).toEqual([]);
    }
    expect((await lifecycle.listTickets({ state: "todo" })).length).toBe(3);
  });

  it("a ticket assigned to a person is skipped_policy; a real compare-and-set race is claim_conflict with the holder", async () => {
    const lifecycle = testLifecycle(db());
    await givenTicket(lifecycle, { title: "mine", assignee: "alice" });
    const raced = await givenTicket(lifecycle, { title: "raced" });
    // Someone claims MC-2 between the pick phase's read and the dispatcher's compare-and-set.
    const racing: Lifecycle = {
      ...lifecycle,
      claim: async (input) => {
        if (input.ticket === raced.key) {
          await lifecycle.claim({ ...input, worker: "bob", actor: human, fence: null });
        }
        return lifecycle.claim(input);
      },
    };
    const record = await runDispatchCycle(testDispatcher(racing));
    expect(record.decisions).toEqual([
      {
        code: "skipped_policy",
        ticket: "MC-1",
        rule: "assigned_to_human",
        message: "assigned to alice, who is not an agent",
      },
      {
        code: "claim_conflict",
        ticket: "MC-2",
        message: expect.stringContaining("held by bob"),
        state: "in_progress",
        holder: { attemptId: expect.any(String), worker: "bob" },
        changedBy: { actor: human, reason: "claimed", at: "2026-01-01T00:00:00.000Z" },
      },
    ]);
  });

  it("a claim conflict after a person's change names who changed it and when, though nobody holds the ticket", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    const raced = await givenTicket(lifecycle, { title: "raced" });
    // A person cancels MC-1 between the pick phase's read and the dispatcher's compare-and-set.
    const racing: Lifecycle = {
      ...lifecycle,
      claim: async (input) => {
        clock.advance(5_000);
        await lifecycle.transition({
          ticket: raced.key,
          from: "todo",
          expectedVersion: raced.version,
          to: "cancelled",
          reason: "cancelled",
          actor: human,
        });
        return lifecycle.claim(input);
      },
    };
    const record = await runDispatchCycle(testDispatcher(racing));
    expect(record.decisions).toEqual([
      {
        code: "claim_conflict",
        ticket: "MC-1",
        message: expect.stringContaining("changed by human octocat (cancelled) at 2026-01-01T00:00:05.000Z"),
        state: "cancelled",
        holder: null,
        changedBy: { actor: human, reason: "cancelled", at: "2026-01-01T00:00:05.000Z" },
      },
    ]);
    expect(describeDecision(record.decisions[0] as Decision)[2]).toBe(
      "now cancelled, changed by octocat (cancelled) at 2026-01-01T00:00:05.000Z",
    );
  });

  it("batch_size reached with slots free is batch_limit, not no_slot, and the next cycle goes on", async () => {
    const lifecycle = testLifecycle(db());
    await tickets(lifecycle, 3);
    const deps = testDispatcher(lifecycle, { settings: { maxWorkers: 1000, batchSize: 2 } });
    const record = await runDispatchCycle(deps);
    expect(codes(record.decisions)).toEqual(["claimed MC-1", "claimed MC-2", "batch_limit MC-3"]);
    expect(record.decisions[2]).toEqual({
      code: "batch_limit",
      ticket: "MC-3",
      batchSize: 2,
      freeSlots: 1000,
    });
    expect(record.counts).toMatchObject({ claimed: 2, batch_limit: 1, free_slots: 1000 });
    expect(record.counts).not.toHaveProperty("no_slot");
    expect(describeDecision(record.decisions[2] as Decision)).toEqual([
      "batch_limit",
      "MC-3",
      "batch_size 2 claimed this cycle (1000 slots free); the next cycle goes on",
    ]);
    expect(codes((await runDispatchCycle(deps)).decisions)).toEqual(["claimed MC-3"]);
    // When the workers are the smaller limit it stays no_slot.
    await tickets(lifecycle, 2);
    const full = testDispatcher(lifecycle, { settings: { maxWorkers: 4, batchSize: 2 } });
    expect(codes((await runDispatchCycle(full)).decisions)).toEqual(["claimed MC-4", "no_slot MC-5"]);
  });

  it("the needs-input phase requeues only answered needs_input tickets and claims nothing itself", async () => {
    const lifecycle = testLifecycle(db());
    const [a, b] = await tickets(lifecycle, 2);
    const deps = testDispatcher(lifecycle, { settings: { maxWorkers: 2 } });
    await runDispatchCycle(deps);
    for (const request of deps.launched) {
      const attempt = await lifecycle.findAttempt(request.attempt);
      await lifecycle.startAttempt({
        attemptId: request.attempt,
        launchKey: attempt?.launchKey ?? "",
        leaseMs: 60_000,
      });
      await lifecycle.askQuestion({
        attemptId: request.attempt,
        actor: { kind: "worker", id: "agent" },
        question: "?",
      });
    }
    await lifecycle.answerQuestion({ ticket: a?.key ?? "", answer: "yes", actor: human });
    const record = await runDispatchCycle(testDispatcher(lifecycle, { settings: { maxWorkers: 0 } }));
    expect(codes(record.decisions)).toEqual(["requeued_needs_input MC-1", "no_slot MC-1"]);
    expect(await lifecycle.findTicket(a?.key ?? "")).toMatchObject({ state: "todo" });
    expect(await lifecycle.findTicket(b?.key ?? "")).toMatchObject({ state: "needs_input" });
  });

  it("expires lost leases with back-off, and holds a ticket that used up its attempts", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    await tickets(lifecycle, 1);
    const deps = testDispatcher(lifecycle, { settings: { maxAttempts: 2, attemptLeaseMs: 1_000 } });
    expect(codes((await runDispatchCycle(deps)).decisions)).toEqual(["claimed MC-1"]);
    clock.advance(1_001);
    // Backing off, MC-1 is not read by the pick phase at all (the database leaves it out).
    expect(codes((await runDispatchCycle(deps)).decisions)).toEqual(["lease_expired MC-1"]);
    clock.advance(10_000);
    expect(codes((await runDispatchCycle(deps)).decisions)).toEqual(["claimed MC-1"]);
    clock.advance(1_001);
    const last = await runDispatchCycle(deps);
    expect(codes(last.decisions)).toEqual(["lease_expired MC-1", "max_attempts MC-1"]);
    expect(await lifecycle.findTicket("MC-1")).toMatchObject({
      state: "todo",
      hold: "max_attempts_reached",
      attemptCount: 2,
    });
    clock.advance(3_600_000);
    expect((await runDispatchCycle(deps)).decisions).toEqual([]);
  });

  it("a ticket granted one more attempt after max_attempts is claimed once, then held again with a new item", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    await tickets(lifecycle, 1);
    const deps = testDispatcher(lifecycle, { settings: { maxAttempts: 1 } });
    expect(codes((await runDispatchCycle(deps)).decisions)).toEqual(["claimed MC-1"]);
    await failLaunched(lifecycle, deps.launched.at(-1));
    clock.advance(60_001);
    const held = await runDispatchCycle(deps);
    expect(held.decisions).toEqual([{ code: "max_attempts", ticket: "MC-1", attempts: 1, budget: 1 }]);
    const ticket = await lifecycle.findTicket("MC-1");
    const [first] = await lifecycle.inbox.ofTicket(ticket?.id ?? 0);
    expect(first).toMatchObject({ kind: "max_attempts_reached", payload: { attempts: 1, budget: 1 } });

    const granted = await lifecycle.inbox.act({
      itemId: first?.id ?? 0,
      result: { decision: "grant_attempts", transition: null, hold: "release", attempts: 1, actor: human },
    });
    expect(granted).toMatchObject({
      ok: true,
      result: { applied: { grant: { attemptsUsed: 1, budget: 2 } } },
    });

    // The next cycle claims it (attempt 2 of 2), and only once.
    expect(codes((await runDispatchCycle(deps)).decisions)).toEqual(["claimed MC-1"]);
    expect(deps.launched.map((l) => l.launchKey)).toEqual(["MC-1/1", "MC-1/2"]);
    expect(codes((await runDispatchCycle(deps)).decisions)).toEqual([]);
    await failLaunched(lifecycle, deps.launched.at(-1));
    clock.advance(60_001);

    // That attempt failed: the budget is used up again, so it is held, with a new item for a person.
    const again = await runDispatchCycle(deps);
    expect(again.decisions).toEqual([{ code: "max_attempts", ticket: "MC-1", attempts: 2, budget: 2 }]);
    expect(await lifecycle.findTicket("MC-1")).toMatchObject({
      state: "todo",
      hold: "max_attempts_reached",
      attemptCount: 2,
      extraAttempts: 1,
    });
    const items = await lifecycle.inbox.ofTicket(ticket?.id ?? 0);
    expect(items).toMatchObject([
      { id: first?.id, state: "acted" },
      {
        kind: "max_attempts_reached",
        state: "pending",
        payload: { attempts: 2, maxAttempts: 1, extraAttempts: 1, budget: 2 },
      },
    ]);
    expect(codes((await runDispatchCycle(deps)).decisions)).toEqual([]);
    expect(deps.launched).toHaveLength(2);
  });

  it("a failed launch is recorded and the ticket is released for a later cycle, not lost", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    await tickets(lifecycle, 1);
    const failing = recordingLauncher(() => ({ ok: false, error: "GitHub answered 502" }));
    const record = await runDispatchCycle(testDispatcher(lifecycle, { launcherFor: () => failing.launcher }));
    expect(record.decisions).toEqual([
      {
        code: "launch_failed",
        ticket: "MC-1",
        attempt: expect.any(String),
        launchKey: "MC-1/1",
        error: "GitHub answered 502",
      },
    ]);
    expect(await lifecycle.findTicket("MC-1")).toMatchObject({ state: "todo", currentAttemptId: null });
    clock.advance(10_001);
    const retried = testDispatcher(lifecycle);
    expect(codes((await runDispatchCycle(retried)).decisions)).toEqual(["claimed MC-1"]);
    expect(retried.launched).toEqual([expect.objectContaining({ launchKey: "MC-1/2" })]);
  });

  it("a dispatcher that loses its lease mid-cycle stops claiming (lease_lost)", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    await tickets(lifecycle, 3);
    let claims = 0;
    const stalling: Lifecycle = {
      ...lifecycle,
      claim: async (input) => {
        claims += 1;
        if (claims === 2) {
          // This dispatcher stalls past its lease and a successor takes over.
          clock.advance(30_001);
          await lifecycle.acquireLease({ name: "dispatch", holder: "successor", ttlMs: 30_000 });
        }
        return lifecycle.claim(input);
      },
    };
    const record = await runDispatchCycle(testDispatcher(stalling));
    expect(record.outcome).toBe("lease_lost");
    expect(codes(record.decisions)).toEqual(["claimed MC-1", "lease_lost"]);
    // The record names the token that was lost (the successor now holds token 2).
    expect(record.decisions[1]).toMatchObject({ code: "lease_lost", fencingToken: 1 });
    expect(record.fencingToken).toBeNull();
    expect((await lifecycle.listTickets({ state: "todo" })).map((t) => t.key)).toEqual(["MC-2", "MC-3"]);
    expect(await lifecycle.readLease("dispatch")).toMatchObject({ holder: "successor", fencingToken: 2 });
  });

  it("a dry run decides from reads and writes nothing", async () => {
    const lifecycle = testLifecycle(db());
    await tickets(lifecycle, 2);
    const deps = testDispatcher(lifecycle, { settings: { maxWorkers: 1 } });
    const record = await runDispatchCycle(deps, { dryRun: true });
    expect(record.outcome).toBe("dry_run");
    expect(codes(record.decisions)).toEqual(["claimed MC-1", "no_slot MC-2"]);
    expect(deps.launched).toEqual([]);
    expect(await lifecycle.recentDispatchCycles(5)).toEqual([]);
    expect(await lifecycle.readLease("dispatch")).toBeUndefined();
    expect((await lifecycle.listTickets({ state: "todo" })).length).toBe(2);
  });
});
