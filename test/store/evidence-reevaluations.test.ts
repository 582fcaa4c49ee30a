import { expect, it } from "vitest";
import type { Lifecycle } from "../../src/lifecycle/index.js";
import { testStore } from "../builders/store.js";
import { manualClock, testLifecycle } from "../builders/tickets.js";
import { describeEachDriver } from "../helpers/databases.js";
import { backoff, givenVerifying, verifier } from "../inbox/support.js";

const LEASE = 60_000;
const SHA = "d".repeat(40);

/**
 * The verifier's pending verdict on a verifying ticket, recorded with a re-check for `notBefore`
 * (under the key `deliveryId`): what the verifier does while GitHub does not show the commit yet.
 */
async function pendingWithRecheck(
  lifecycle: Lifecycle,
  attempt: { ticketKey: string; attemptId: string },
  recheck: { deliveryId: string; notBefore: Date },
) {
  const stored = await lifecycle.evidence.recordVerdict({
    ...attempt,
    repository: "acme/widgets",
    sha: SHA,
    status: "pending",
    criteria: [],
    summary: "pending: commit not visible yet",
    fingerprint: "f".repeat(32),
    actor: verifier,
    backoff,
    recheck: {
      ...recheck,
      event: "commit_grace_ended",
      repository: "acme/widgets",
      shas: [SHA],
      wholeRepository: false,
    },
  });
  expect(stored.ok).toBe(true);
}

describeEachDriver("evidence re-evaluation requests: scheduled with a verdict", ({ db }) => {
  it("a scheduled request is not taken before its time, is taken when due, and is recorded once per key", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    const reevaluations = testStore(db(), clock).reevaluations;
    const { ticket, attemptId } = await givenVerifying(lifecycle);
    const attempt = { ticketKey: ticket.key, attemptId };
    // The completion recorded its own request (due at once): run it out of the way.
    for (const r of await reevaluations.take({ worker: "w", leaseMs: LEASE, limit: 10 }))
      await reevaluations.complete({ job: r, worker: "w" });
    const notBefore = new Date(clock.now().getTime() + 300_000);
    const request = { deliveryId: "commit-grace:attempt-1", notBefore };
    await pendingWithRecheck(lifecycle, attempt, request);
    // Asked again (every re-check within the grace asks): nothing new, the due time unchanged.
    clock.advance(10_000);
    await pendingWithRecheck(lifecycle, attempt, {
      ...request,
      notBefore: new Date(notBefore.getTime() + 10_000),
    });
    expect(await reevaluations.backlog()).toBe(1);
    expect(await reevaluations.findByDelivery(request.deliveryId)).toMatchObject({
      event: "commit_grace_ended",
      repository: "acme/widgets",
      shas: [SHA],
      nextAttemptAt: notBefore,
      doneAt: null,
    });

    clock.advance(notBefore.getTime() - clock.now().getTime() - 1);
    expect(await reevaluations.take({ worker: "w", leaseMs: LEASE, limit: 10 })).toEqual([]);
    clock.advance(1);
    const taken = await reevaluations.take({ worker: "w", leaseMs: LEASE, limit: 10 });
    expect(taken).toEqual([
      expect.objectContaining({
        event: "commit_grace_ended",
        repository: "acme/widgets",
        shas: [SHA],
        wholeRepository: false,
        tries: 0,
      }),
    ]);
    const [first] = taken;
    if (!first) throw new Error("nothing taken");
    expect(await reevaluations.complete({ job: first, worker: "w" })).toEqual({ ok: true, done: 1 });
    expect(await reevaluations.backlog()).toBe(0);
    // Done: asking again with the same key does not queue it a second time.
    await pendingWithRecheck(lifecycle, attempt, request);
    expect(await reevaluations.backlog()).toBe(0);
  });

  it("a scheduled request does not hold back requests due now, and a webhook's request is still due at once", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    const reevaluations = testStore(db(), clock).reevaluations;
    const { ticket, attemptId } = await givenVerifying(lifecycle);
    for (const r of await reevaluations.take({ worker: "w", leaseMs: LEASE, limit: 10 }))
      await reevaluations.complete({ job: r, worker: "w" });
    await pendingWithRecheck(
      lifecycle,
      { ticketKey: ticket.key, attemptId },
      { deliveryId: "commit-grace:attempt-2", notBefore: new Date(clock.now().getTime() + 60_000) },
    );
    expect(
      await reevaluations.request({
        deliveryId: "delivery-1",
        event: "check_run",
        repository: "acme/widgets",
        shas: [SHA],
        wholeRepository: false,
      }),
    ).toEqual({ ok: true, code: "queued" });
    const taken = await reevaluations.take({ worker: "w", leaseMs: LEASE, limit: 10 });
    expect(taken.map((r) => r.event)).toEqual(["check_run"]);
  });
});
