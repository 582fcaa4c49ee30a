import type { Octokit } from "@octokit/rest";
import { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ListedDelivery, planRedeliveries, redeliverMissed } from "../../src/app/redeliver.js";
import { systemClock } from "../../src/lifecycle/index.js";
import { createStore } from "../../src/store/index.js";
import { manualClock } from "../builders/tickets.js";
import { describeOnDriver } from "../helpers/databases.js";
import { type AppHarness, SECRET, startApp } from "./support/harness.js";

const listed = (overrides: Partial<ListedDelivery>): ListedDelivery => ({
  id: 1,
  guid: "g1",
  event: "issues",
  status_code: 500,
  delivered_at: "2026-01-01T00:00:00Z",
  redelivery: false,
  ...overrides,
});

describe("planRedeliveries", () => {
  it("redelivers a GUID only when every attempt failed and the app has no record of it", () => {
    const plan = planRedeliveries(
      [
        listed({ id: 1, guid: "a", status_code: 0 }),
        listed({ id: 2, guid: "a", status_code: 502, redelivery: true }),
        listed({ id: 3, guid: "b", status_code: 500 }),
        listed({ id: 4, guid: "b", status_code: 200, redelivery: true }),
        listed({ id: 5, guid: "c", status_code: 500 }),
        listed({ id: 6, guid: "d", status_code: 200 }),
      ],
      new Set(["c"]),
    );
    expect(plan).toEqual([
      { guid: "a", id: 2, event: "issues", decision: "redeliver" },
      { guid: "b", id: 3, event: "issues", decision: "skip", reason: "succeeded_later" },
      { guid: "c", id: 5, event: "issues", decision: "skip", reason: "recorded" },
    ]);
  });
});

describeOnDriver("redeliverMissed against the stand-in", (ctx) => {
  let app: AppHarness;
  beforeEach(async () => {
    app = await startApp(ctx.db());
    app.gh.world.repository({ owner: "acme", name: "widgets", collaborators: { bob: "write" } });
  });
  afterEach(async () => app?.stop());

  it("asks again for a delivery that failed while the app was down; then it is recorded and skipped", async () => {
    // The app is "down" for one delivery: the hook points at a port nobody listens on.
    app.gh.webhooks.setTarget({ url: "http://127.0.0.1:1/api/github/webhooks", secret: SECRET });
    app.gh.world.issue("acme/widgets", { title: "while down", author: "bob" });
    await app.settle();
    app.gh.webhooks.setTarget({ url: app.webhookUrl, secret: SECRET });
    const missed = app.gh.webhooks.deliveries.find((d) => d.statusCode === 0);
    expect(missed).toBeDefined();

    const appOctokit = new ProbotOctokit({
      baseUrl: app.gh.url,
      auth: { appId: app.gh.app.id, privateKey: app.gh.app.privateKey ?? "" },
    }) as unknown as Octokit;
    const dry = await redeliverMissed(
      { deliveries: app.store.deliveries, clock: systemClock, appOctokit },
      { dryRun: true, limit: 100 },
    );
    expect(dry).toEqual([{ guid: missed?.guid, id: missed?.id, event: "issues", decision: "redeliver" }]);
    expect(app.gh.webhooks.deliveries).toHaveLength(1);

    await redeliverMissed(
      { deliveries: app.store.deliveries, clock: systemClock, appOctokit },
      { dryRun: false, limit: 100 },
    );
    await app.settle();
    expect(await app.store.deliveries.find(missed?.guid ?? "")).toMatchObject({ status: "handled" });
    const again = await redeliverMissed(
      { deliveries: app.store.deliveries, clock: systemClock, appOctokit },
      { dryRun: false, limit: 100 },
    );
    expect(again).toEqual([
      { guid: missed?.guid, id: missed?.id, event: "issues", decision: "skip", reason: "recorded" },
    ]);
  });

  // Found by the chaos harness (test/chaos): an app killed mid-handler leaves its delivery
  // `received`; GitHub saw the delivery fail, but the redelivery tool skipped it as recorded, so the
  // handler never ran again (a `/mc answer` or a check run's re-evaluation was lost for good).
  it("asks again for a delivery whose handler died (received, past the lease); not for one still within it", async () => {
    app.gh.webhooks.setTarget({ url: "http://127.0.0.1:1/api/github/webhooks", secret: SECRET });
    app.gh.world.issue("acme/widgets", { title: "handler died", author: "bob" });
    await app.settle();
    app.gh.webhooks.setTarget({ url: app.webhookUrl, secret: SECRET });
    const died = app.gh.webhooks.deliveries.find((d) => d.statusCode === 0);
    if (!died) throw new Error("no failed delivery");
    // The app recorded it two minutes ago, then its process died before the handler finished.
    const twoMinutesAgo = manualClock(new Date(Date.now() - 120_000));
    const before = createStore({ db: ctx.db(), clock: twoMinutesAgo });
    await before.deliveries.record({
      deliveryId: died.guid,
      event: "issues",
      action: "opened",
      repository: "acme/widgets",
    });
    const appOctokit = new ProbotOctokit({
      baseUrl: app.gh.url,
      auth: { appId: app.gh.app.id, privateKey: app.gh.app.privateKey ?? "" },
    }) as unknown as Octokit;

    const withinLease = await redeliverMissed(
      { deliveries: app.store.deliveries, clock: systemClock, appOctokit },
      { dryRun: true, limit: 100, deliveryLeaseMs: 300_000 },
    );
    expect(withinLease).toEqual([
      { guid: died.guid, id: died.id, event: "issues", decision: "skip", reason: "recorded" },
    ]);

    const pastLease = await redeliverMissed(
      { deliveries: app.store.deliveries, clock: systemClock, appOctokit },
      { dryRun: false, limit: 100, deliveryLeaseMs: 60_000 },
    );
    expect(pastLease).toEqual([{ guid: died.guid, id: died.id, event: "issues", decision: "redeliver" }]);
    await app.settle();
    // The app took the abandoned record over and ran the handler: handled now, and skipped from then on.
    expect(await app.store.deliveries.find(died.guid)).toMatchObject({ status: "handled" });
    expect(
      await redeliverMissed(
        { deliveries: app.store.deliveries, clock: systemClock, appOctokit },
        { dryRun: true, limit: 100, deliveryLeaseMs: 60_000 },
      ),
    ).toEqual([{ guid: died.guid, id: died.id, event: "issues", decision: "skip", reason: "recorded" }]);
  });
});
