import { afterEach, beforeEach, expect, it } from "vitest";
import { scenario } from "../evidence/support.js";
import { describeEachDriver } from "../helpers/databases.js";
import { type AppHarness, startApp } from "./support/harness.js";

/** A check run finishing on GitHub re-evaluates the pending verdict of the commit it ran on. */
describeEachDriver("evidence re-evaluation from webhooks", (ctx) => {
  let app: AppHarness;
  beforeEach(async () => {
    app = await startApp(ctx.db());
  });
  afterEach(async () => app?.stop());

  it("check_run completed → the pending verdict passes; each check_run delivery is recorded as queued", async () => {
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
    const deliveries = await app.lifecycle.app.recentDeliveries(50);
    expect(
      deliveries.filter((d) => d.event === "check_run").every((d) => d.outcome === "evidence:queued"),
    ).toBe(true);
  });
});
