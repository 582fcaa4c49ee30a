import { expect, it } from "vitest";
import { manualClock, testLifecycle } from "../builders/tickets.js";
import { describeEachDriver } from "../helpers/databases.js";

const LEASE = 60_000;
const SHA = "d".repeat(40);

describeEachDriver("evidence re-evaluation requests: scheduled ones", ({ db }) => {
  it("a scheduled request is not taken before its time, is taken when due, and is recorded once per key", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    const reevaluations = lifecycle.app.reevaluations;
    const notBefore = new Date(clock.now().getTime() + 300_000);
    const request = {
      deliveryId: "commit-grace:attempt-1",
      event: "commit_grace_ended",
      repository: "acme/widgets",
      shas: [SHA],
      wholeRepository: false,
      notBefore,
    };
    expect(await reevaluations.schedule(request)).toEqual({ ok: true, code: "scheduled" });
    // Asked again (every re-check within the grace asks): nothing new, the due time unchanged.
    clock.advance(10_000);
    expect(
      await reevaluations.schedule({ ...request, notBefore: new Date(notBefore.getTime() + 10_000) }),
    ).toEqual({ ok: true, code: "duplicate" });
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
    expect(await reevaluations.complete({ id: taken[0]?.id ?? -1, worker: "w" })).toEqual({ ok: true });
    expect(await reevaluations.backlog()).toBe(0);
    // Done: asking again with the same key does not queue it a second time.
    expect(await reevaluations.schedule(request)).toEqual({ ok: true, code: "duplicate" });
    expect(await reevaluations.backlog()).toBe(0);
  });

  it("a scheduled request does not hold back requests due now, and a webhook's request is still due at once", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    const reevaluations = lifecycle.app.reevaluations;
    await reevaluations.schedule({
      deliveryId: "commit-grace:attempt-2",
      event: "commit_grace_ended",
      repository: "acme/widgets",
      shas: [SHA],
      wholeRepository: false,
      notBefore: new Date(clock.now().getTime() + 60_000),
    });
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
