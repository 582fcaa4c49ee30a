/**
 * Stuck "received" deliveries (issue 8, "webhook handling that loses nothing"): the intake records a
 * delivery before its handler runs. If the process dies in between, the record stays `received`;
 * a redelivery after the lease takes it over (compare-and-set) and runs the handler, instead of
 * being dropped as a duplicate. A handled delivery is never taken over. Time is a manual clock.
 */
import { expect, it } from "vitest";
import { intake } from "../../src/app/intake.js";
import { DEFAULT_DELIVERY_LEASE_MS } from "../../src/store/webhook-deliveries.js";
import { testStore } from "../builders/store.js";
import { manualClock } from "../builders/tickets.js";
import { describeEachDriver } from "../helpers/databases.js";

const record = { deliveryId: "d-1", event: "issue_comment", action: "created", repository: "acme/widgets" };
const delivery = {
  id: "d-1",
  name: "issue_comment",
  payload: { action: "created", repository: { full_name: "acme/widgets" } },
};

describeEachDriver("webhook deliveries: a stuck received record is taken over after its lease", ({ db }) => {
  it("within the lease a redelivery is a duplicate; after it, one redelivery takes over and handles it", async () => {
    const clock = manualClock();
    const store = testStore(db(), clock);
    // The first delivery is recorded, then the process dies before the handler finishes.
    expect(await store.deliveries.record(record)).toEqual({ ok: true, code: "fresh" });

    clock.advance(DEFAULT_DELIVERY_LEASE_MS - 1);
    let runs = 0;
    const handle = async () => {
      runs += 1;
      return "command:status";
    };
    // Still within the lease: the handler may be running elsewhere.
    expect(await intake(store.deliveries, delivery, handle)).toEqual({ code: "duplicate", outcome: null });
    expect(runs).toBe(0);

    clock.advance(1);
    expect(await intake(store.deliveries, delivery, handle)).toEqual({
      code: "handled",
      outcome: "command:status",
    });
    expect(runs).toBe(1);
    expect(await store.deliveries.find("d-1")).toMatchObject({
      status: "handled",
      outcome: "command:status",
      receivedAt: clock.now(),
    });

    // Handled is final: no lease ever lets a redelivery run it again.
    clock.advance(24 * 3_600_000);
    expect(await intake(store.deliveries, delivery, handle)).toEqual({
      code: "duplicate",
      outcome: "command:status",
    });
    expect(runs).toBe(1);
  });

  it("of concurrent redeliveries of a stuck record exactly one takes it over (compare-and-set)", async () => {
    const clock = manualClock();
    const store = testStore(db(), clock);
    await store.deliveries.record(record);
    clock.advance(5 * 60_000);
    const results = await Promise.all(Array.from({ length: 5 }, () => store.deliveries.record(record)));
    const taken = results.filter((r) => r.ok);
    expect(taken).toHaveLength(1);
    expect(taken[0]).toMatchObject({ code: "taken_over", previous: { status: "received" } });
    expect(results.filter((r) => !r.ok)).toHaveLength(4);
    // The taker renewed the lease: a redelivery right after is a duplicate again.
    expect(await store.deliveries.record(record)).toMatchObject({ ok: false, code: "duplicate" });
  });

  it("the lease is configurable per call (app.delivery_lease_seconds)", async () => {
    const clock = manualClock();
    const store = testStore(db(), clock);
    await store.deliveries.record({ ...record, leaseMs: 5_000 });
    clock.advance(4_999);
    expect(await intake(store.deliveries, delivery, async () => "x", { leaseMs: 5_000 })).toMatchObject({
      code: "duplicate",
    });
    clock.advance(1);
    expect(await intake(store.deliveries, delivery, async () => "x", { leaseMs: 5_000 })).toEqual({
      code: "handled",
      outcome: "x",
    });
  });
});
