import { afterEach, beforeEach, expect, it } from "vitest";
import { scenario } from "../evidence/support.js";
import { describeOnDriver } from "../helpers/databases.js";
import { reevaluateUntilIdle } from "./support/drain.js";
import { type AppHarness, startApp } from "./support/harness.js";

/** A check run finishing on GitHub re-evaluates the pending verdict of the commit it ran on. */
describeOnDriver("evidence re-evaluation from webhooks", (ctx) => {
  let app: AppHarness;
  beforeEach(async () => {
    app = await startApp(ctx.db());
  });
  afterEach(async () => app?.stop());

  it("check_run completed → the pending verdict passes; each check_run delivery is recorded (queued, or nothing to re-evaluate)", async () => {
    app.gh.world.app({ slug: "ci", name: "CI" });
    const s = scenario(app.gh, ctx.db(), { required_checks: [{ name: "ci/test" }] });
    const sha = s.commit();
    const { key } = await s.verifyingTicket(sha);
    const ticket = await app.lifecycle.findTicket(key);
    const run = app.gh.world.checkRun(s.repository, {
      app: "ci",
      name: "ci/test",
      headSha: sha,
      status: "in_progress",
    });
    await app.settle();
    const first = await app.lifecycle.evidence.verdictsOf(ticket?.id ?? -1);
    expect(first.map((v) => v.status)).toEqual(["pending"]);

    app.gh.world.completeCheckRun(s.repository, run.id, "success");
    await app.settle();
    const verdicts = await app.lifecycle.evidence.verdictsOf(ticket?.id ?? -1);
    expect(verdicts.map((v) => v.status)).toEqual(["pending", "pass"]);
    const deliveries = await app.store.deliveries.recent(50);
    // The app's own check run has nothing to re-evaluate; the others were queued.
    const checkRuns = deliveries.filter((d) => d.event === "check_run");
    expect(
      checkRuns.every((d) => d.outcome === "evidence:queued" || d.outcome === "evidence:no_target"),
    ).toBe(true);
    expect(checkRuns.some((d) => d.outcome === "evidence:queued")).toBe(true);
    expect(await app.store.reevaluations.backlog()).toBe(0);
  });

  it("the re-evaluation is durable: recorded with the delivery, run after a crash by the next worker, once", async () => {
    app.gh.world.app({ slug: "ci", name: "CI" });
    const s = scenario(app.gh, ctx.db(), { required_checks: [{ name: "ci/test" }] });
    const sha = s.commit();
    const { key } = await s.verifyingTicket(sha);
    const ticket = await app.lifecycle.findTicket(key);
    const run = app.gh.world.checkRun(s.repository, {
      app: "ci",
      name: "ci/test",
      headSha: sha,
      status: "in_progress",
    });
    await app.settle();
    expect((await app.lifecycle.evidence.verdictsOf(ticket?.id ?? -1)).map((v) => v.status)).toEqual([
      "pending",
    ]);

    // The check run completes; the delivery is handled (the request recorded), but the process
    // that took the request dies before running it.
    app.gh.world.completeCheckRun(s.repository, run.id, "success");
    await app.gh.webhooks.settle();
    const delivery = (await app.store.deliveries.recent(50)).find(
      (d) => d.event === "check_run" && d.action === "completed",
    );
    expect(delivery?.outcome).toBe("evidence:queued");
    expect(await app.store.reevaluations.backlog()).toBe(1);
    const [taken] = await app.store.reevaluations.take({ worker: "dead", leaseMs: 1, limit: 10 });
    if (!taken) throw new Error("nothing to take");
    expect(taken.shas).toEqual([sha]);
    await new Promise((resolve) => setTimeout(resolve, 5));

    // A redelivery of that delivery adds nothing; the next worker takes the dead one's request over.
    const redelivered = app.gh.webhooks.deliveries.find((d) => d.guid === delivery?.deliveryId);
    if (!redelivered) throw new Error("the stand-in has no record of the delivery");
    app.gh.webhooks.redeliver(redelivered.id);
    await app.gh.webhooks.settle();
    expect(app.gh.webhooks.deliveries.filter((d) => d.guid === redelivered.guid)).toHaveLength(2);
    expect(await app.store.reevaluations.backlog()).toBe(1);
    const report = await reevaluateUntilIdle(app.reevaluationDeps({ worker: "restarted" }));
    expect(report).toEqual({ taken: 1, done: 1, failed: 0 });
    expect((await app.lifecycle.evidence.verdictsOf(ticket?.id ?? -1)).map((v) => v.status)).toEqual([
      "pending",
      "pass",
    ]);
    expect(await app.store.reevaluations.backlog()).toBe(0);
    // The dead worker's late completion is refused: the request is not run or counted twice.
    expect(await app.store.reevaluations.complete({ job: taken, worker: "dead" })).toMatchObject({
      ok: false,
      code: "lock_lost",
    });
  });
});
