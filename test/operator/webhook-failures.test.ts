/**
 * Issue 8 "Missed deliveries": the operator alerts on failed webhook deliveries. A handler that
 * throws records a `webhook_failures` row (src/app/intake.ts); the operator's pass opens
 * `webhook_deliveries_failing:webhooks`, and resolves it once a redelivery of that delivery is handled.
 */
import { expect, it } from "vitest";
import { intake } from "../../src/app/intake.js";
import { testStore } from "../builders/store.js";
import { manualClock, testLifecycle } from "../builders/tickets.js";
import { describeEachDriver } from "../helpers/databases.js";
import { operate, thresholds } from "./support.js";

const FP = "webhook_deliveries_failing:webhooks";
const delivery = {
  id: "delivery-1",
  name: "issue_comment",
  payload: { action: "created", repository: { full_name: "acme/widgets" } },
};

describeEachDriver("operator: failed webhook deliveries", ({ db }) => {
  it("a throwing handler opens the alert; the handled redelivery resolves it", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    const store = testStore(db(), clock);
    const pass = async () => {
      clock.advance(1_000);
      const report = await operate(db(), lifecycle);
      if (report.status !== "completed") throw new Error("operator paused");
      return report;
    };

    await expect(
      intake(store.deliveries, delivery, async () => {
        throw new Error("database is down");
      }),
    ).rejects.toThrow("database is down");
    expect(await store.webhookFailures.unresolved({ since: new Date(0), limit: 10 })).toMatchObject([
      { deliveryId: "delivery-1", event: "issue_comment", failures: 1 },
    ]);

    const opened = await pass();
    const finding = opened.findings.find((f) => f.condition === "webhook_deliveries_failing");
    expect(finding?.subject).toBe("webhooks");
    expect(finding?.message).toMatch(
      /^1 webhook delivery failed.*issue_comment\.created delivery-1.*database is down/,
    );
    expect(opened.changes).toContainEqual(expect.objectContaining({ change: "opened", fingerprint: FP }));

    // Still failing: the same alert is updated, never duplicated.
    const again = await pass();
    expect(again.changes).toContainEqual(expect.objectContaining({ change: "updated", fingerprint: FP }));

    // GitHub redelivers the same id; this time the handler succeeds.
    expect(await intake(store.deliveries, delivery, async () => "command:status")).toEqual({
      code: "handled",
      outcome: "command:status",
    });
    const resolved = await pass();
    expect(resolved.findings.map((f) => f.condition)).not.toContain("webhook_deliveries_failing");
    expect(resolved.changes).toContainEqual(expect.objectContaining({ change: "resolved", fingerprint: FP }));
    expect((await lifecycle.alerts.find(FP))?.status).toBe("resolved");
  });

  it("a failure older than the window no longer counts", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    const store = testStore(db(), clock);
    await expect(
      intake(store.deliveries, { ...delivery, id: "delivery-2" }, async () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    clock.advance(thresholds.webhookFailureWindowMs + 60_000);
    const report = await operate(db(), lifecycle);
    if (report.status !== "completed") throw new Error("operator paused");
    expect(report.findings.map((f) => f.condition)).not.toContain("webhook_deliveries_failing");
  });
});
