/**
 * The generic leased queue (src/store/leased-queue.ts) on a real table of each kind: ungrouped
 * (`evidence_reevaluations`) and grouped by ticket (`mirror_jobs`). Time is a manual clock: a lease
 * runs out because the clock is advanced, never because the test waited.
 */
import { expect, it } from "vitest";
import { evidenceReevaluations, mirrorJobs } from "../../src/db/schema.js";
import { leasedQueue } from "../../src/store/leased-queue.js";
import { testStore } from "../builders/store.js";
import { givenTicket, human, manualClock, testLifecycle } from "../builders/tickets.js";
import { describeEachDriver } from "../helpers/databases.js";

const LEASE = 60_000;
const queue = leasedQueue(evidenceReevaluations);

describeEachDriver("leased queue", ({ db }) => {
  async function given(count: number) {
    const clock = manualClock();
    const store = testStore(db(), clock);
    for (let i = 0; i < count; i += 1)
      await store.reevaluations.request({
        deliveryId: `d-${i}`,
        event: "check_run",
        repository: "acme/widgets",
        shas: [],
        wholeRepository: true,
      });
    return { clock, deps: { db: db(), clock } };
  }

  it("takes due rows oldest first under a lease; a live lease is skipped", async () => {
    const { deps } = await given(3);
    const a = await queue.take(deps, { worker: "a", leaseMs: LEASE, limit: 2 });
    expect(a.map((t) => t.row.deliveryId)).toEqual(["d-0", "d-1"]);
    expect(a.map((t) => [t.row.lockedBy, t.previousHolder])).toEqual([
      ["a", null],
      ["a", null],
    ]);
    // b gets only what a does not hold.
    const b = await queue.take(deps, { worker: "b", leaseMs: LEASE, limit: 10 });
    expect(b.map((t) => t.row.deliveryId)).toEqual(["d-2"]);
    expect(await queue.take(deps, { worker: "c", leaseMs: LEASE, limit: 10 })).toEqual([]);
    expect(await queue.backlog(deps.db)).toBe(3);
  });

  it("concurrent takes never take the same row", async () => {
    const { deps } = await given(6);
    const takes = await Promise.all(
      ["a", "b", "c"].map((worker) => queue.take(deps, { worker, leaseMs: LEASE, limit: 6 })),
    );
    const ids = takes.flat().map((t) => t.row.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(6);
  });

  it("an expired lease is taken over; the old holder's complete and fail are refused", async () => {
    const { clock, deps } = await given(1);
    const [first] = await queue.take(deps, { worker: "dead", leaseMs: LEASE, limit: 10 });
    if (!first) throw new Error("nothing taken");
    clock.advance(LEASE - 1);
    expect(await queue.take(deps, { worker: "alive", leaseMs: LEASE, limit: 10 })).toEqual([]);
    clock.advance(2);
    const [again] = await queue.take(deps, { worker: "alive", leaseMs: LEASE, limit: 10 });
    expect(again).toMatchObject({ row: { id: first.row.id, lockedBy: "alive" }, previousHolder: "dead" });

    const id = first.row.id;
    expect(await queue.complete(deps, { id, worker: "dead" })).toMatchObject({
      ok: false,
      code: "lock_lost",
    });
    expect(await queue.fail(deps, { id, worker: "dead", error: "late", delayMs: 0 })).toMatchObject({
      ok: false,
      code: "lock_lost",
    });
    expect(await queue.complete(deps, { id, worker: "alive" })).toEqual({ ok: true, done: 1 });
    expect(await queue.backlog(deps.db)).toBe(0);
    // Done is final: not taken again, not completed twice.
    clock.advance(10 * LEASE);
    expect(await queue.take(deps, { worker: "alive", leaseMs: LEASE, limit: 10 })).toEqual([]);
    expect(await queue.complete(deps, { id, worker: "alive" })).toMatchObject({
      ok: false,
      code: "lock_lost",
    });
  });

  it("a failure counts a try, keeps the error and makes the row wait for its back-off", async () => {
    const { clock, deps } = await given(1);
    const [taken] = await queue.take(deps, { worker: "w", leaseMs: LEASE, limit: 10 });
    if (!taken) throw new Error("nothing taken");
    expect(
      await queue.fail(deps, { id: taken.row.id, worker: "w", error: "x".repeat(5000), delayMs: 30_000 }),
    ).toEqual({ ok: true });
    clock.advance(29_999);
    expect(await queue.take(deps, { worker: "w", leaseMs: LEASE, limit: 10 })).toEqual([]);
    clock.advance(1);
    const [retried] = await queue.take(deps, { worker: "w", leaseMs: LEASE, limit: 10 });
    expect(retried?.row).toMatchObject({ id: taken.row.id, tries: 1, lockedBy: "w" });
    expect(retried?.row.lastError).toHaveLength(2000);
    // Taken before (a failure): the next take knows it resumes.
    expect(retried?.previousHolder).toBe("w");
  });

  it("with a group: only a group's head is taken, and completing it through the newest completes the batch", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    const mirror = leasedQueue(mirrorJobs, { group: mirrorJobs.ticketId });
    const deps = { db: db(), clock };
    const one = await givenTicket(lifecycle, { title: "one" });
    const two = await givenTicket(lifecycle, { title: "two" });
    const changed = await lifecycle.issues.setPriority({ ticket: one, priority: "urgent", actor: human });
    expect(changed.ok).toBe(true);

    const heads = await mirror.take(deps, { worker: "w", leaseMs: LEASE, limit: 10 });
    expect(heads.map((h) => h.row.ticketId)).toEqual([one.id, two.id]);
    const [headOne] = heads;
    if (!headOne) throw new Error("no head");
    const jobsOfOne = await testStore(db(), clock).mirror.jobsOf(one.id);
    expect(jobsOfOne).toHaveLength(2);
    expect(headOne.groupLast).toBe(jobsOfOne[1]?.id);
    // A change after the take is not in the batch: it stays pending behind nothing, as the next head.
    await lifecycle.issues.setPriority({
      ticket: (await lifecycle.findTicket(one.key)) ?? one,
      priority: "low",
      actor: human,
    });
    expect(
      await mirror.complete(deps, { id: headOne.row.id, worker: "w", through: headOne.groupLast ?? 0 }),
    ).toEqual({
      ok: true,
      done: 2,
    });
    const [next] = await mirror.take(deps, { worker: "w", leaseMs: LEASE, limit: 10 });
    expect(next?.row.ticketId).toBe(one.id);
    expect(next?.previousHolder).toBeNull();
  });

  it("with a group: a failed head holds its group back, other groups go on", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    const mirror = leasedQueue(mirrorJobs, { group: mirrorJobs.ticketId });
    const deps = { db: db(), clock };
    const one = await givenTicket(lifecycle, { title: "one" });
    await lifecycle.issues.setPriority({ ticket: one, priority: "urgent", actor: human });
    const [head] = await mirror.take(deps, { worker: "w", leaseMs: LEASE, limit: 1 });
    if (!head) throw new Error("no head");
    await mirror.fail(deps, { id: head.row.id, worker: "w", error: "502", delayMs: 5_000 });
    const two = await givenTicket(lifecycle, { title: "two" });
    // One's later job is not taken while its head waits for the back-off.
    expect(
      (await mirror.take(deps, { worker: "w", leaseMs: LEASE, limit: 10 })).map((t) => t.row.ticketId),
    ).toEqual([two.id]);
    clock.advance(5_000);
    const [retried] = await mirror.take(deps, { worker: "w", leaseMs: LEASE, limit: 10 });
    expect(retried?.row).toMatchObject({ id: head.row.id, tries: 1 });
  });
});
