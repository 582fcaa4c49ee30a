import { afterEach, beforeEach, expect, it } from "vitest";
import { systemClock } from "../../src/lifecycle/index.js";
import { givenTicket } from "../builders/tickets.js";
import { describeOnDriver } from "../helpers/databases.js";
import { mirrorUntilIdle } from "./support/drain.js";
import { type AppHarness, startApp } from "./support/harness.js";

/** Issue-side changes by people: a labelled issue becomes a ticket, a closed issue cancels it. */
describeOnDriver("issues webhooks", (ctx) => {
  let app: AppHarness;
  const repo = "acme/widgets";
  beforeEach(async () => {
    app = await startApp(ctx.db());
    app.gh.world.repository({
      owner: "acme",
      name: "widgets",
      collaborators: { bob: "write", rita: "read" },
    });
  });
  afterEach(async () => app?.stop());

  const mirror = () =>
    mirrorUntilIdle({
      issues: app.lifecycle.issues,
      store: app.store,
      clock: systemClock,
      octokitFor: app.runtime.octokitFor,
      worker: "test",
      ticketLabel: "mission-control",
      retry: { baseMs: 1, capMs: 5 },
      leaseMs: 60_000,
      batchLimit: 10,
    });

  it("an issue labelled by a writer becomes a ticket mirrored on that same issue", async () => {
    const issue = app.gh.world.issue(repo, {
      title: "Flaky login test",
      body: "It fails on CI.",
      author: "rita",
    });
    app.gh.world.labelIssue(repo, issue.number, ["mission-control"], "bob");
    await app.settle();
    const ticket = await app.lifecycle.issues.ticketByIssue({ repository: repo, issueNumber: issue.number });
    expect(ticket).toMatchObject({ title: "Flaky login test", body: "It fails on CI.", state: "todo" });
    expect((await app.lifecycle.ticketHistory(ticket?.id ?? -1))[0]).toMatchObject({
      actorKind: "human",
      actorId: "bob",
    });

    await mirror();
    expect(app.gh.requests.count({ route: "POST /repos/{owner}/{repo}/issues" })).toBe(0);
    expect(app.gh.world.labelsOf(repo, issue.number)).toContain("mission-control:state/todo");
  });

  it("a reader's label makes no ticket", async () => {
    const issue = app.gh.world.issue(repo, { title: "Idea", author: "rita" });
    app.gh.world.labelIssue(repo, issue.number, ["mission-control"], "rita");
    await app.settle();
    expect(
      await app.lifecycle.issues.ticketByIssue({ repository: repo, issueNumber: issue.number }),
    ).toBeUndefined();
  });

  it("a writer closing the issue cancels the ticket; reopening does not revive it", async () => {
    const ticket = await givenTicket(app.lifecycle, { repository: repo });
    const issue = app.gh.world.issue(repo, { title: ticket.title, author: "bob" });
    await app.lifecycle.issues.linkIssue({ ticketId: ticket.id, issueNumber: issue.number });
    app.gh.world.closeIssue(repo, issue.number, "bob");
    await app.settle();
    expect(await app.lifecycle.findTicket(ticket.key)).toMatchObject({ state: "cancelled" });
    app.gh.world.reopenIssue(repo, issue.number, "bob");
    await app.settle();
    expect(await app.lifecycle.findTicket(ticket.key)).toMatchObject({ state: "cancelled" });
    const outcomes = (await app.store.deliveries.recent(20)).map((d) => d.outcome);
    expect(outcomes).toContain("cancelled");
    expect(outcomes).toContain("ignored:terminal_ticket");
  });
});
