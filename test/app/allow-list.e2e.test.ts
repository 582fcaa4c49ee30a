import { afterEach, beforeEach, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { repositoryAllowed } from "../../src/config/repositories.js";
import { describeOnDriver } from "../helpers/databases.js";
import { type AppHarness, startApp } from "./support/harness.js";

/**
 * The `repositories:` allow-list at the app's edge: a labelled issue, an issue event or a `/mc`
 * comment from a repository outside it makes no ticket, queues no command and costs no GitHub
 * request; the delivery records `ignored:repository_not_allowed`.
 */
describeOnDriver("the repositories allow-list at the webhook intake", (ctx) => {
  let app: AppHarness;
  const config = parseConfig("repositories:\n  acme/widgets: {}\n", "mission-control.yml");
  beforeEach(async () => {
    app = await startApp(ctx.db(), { repositoryAllowed: (r) => repositoryAllowed(config, r) });
    for (const name of ["widgets", "secret"])
      app.gh.world.repository({ owner: "acme", name, collaborators: { bob: "admin" } });
  });
  afterEach(async () => app?.stop());

  const outcomes = async () =>
    (await app.store.deliveries.recent(50)).map((d) => `${d.event}.${d.action} ${d.repository} ${d.outcome}`);

  it("an issue labelled and commented on outside the list makes no ticket, no command and no request", async () => {
    const outside = "acme/secret";
    app.gh.requests.clear();
    const issue = app.gh.world.issue(outside, { title: "Leak the keys", author: "bob" });
    app.gh.world.labelIssue(outside, issue.number, ["mission-control"], "bob");
    app.gh.world.comment(outside, issue.number, { author: "bob", body: "/mc status" });
    app.gh.world.closeIssue(outside, issue.number, "bob");
    await app.settle();

    expect(await app.lifecycle.issues.ticketByIssue({ repository: outside, issueNumber: issue.number })).toBe(
      undefined,
    );
    expect(await app.lifecycle.listTickets()).toEqual([]);
    // Zero GitHub requests: no permission check, no reaction, no reply.
    expect(app.gh.requests.count()).toBe(0);
    const recorded = await outcomes();
    expect(recorded.length).toBeGreaterThanOrEqual(2);
    for (const line of recorded) expect(line).toMatch(/acme\/secret ignored:repository_not_allowed$/);
  });

  it("the same label inside the list makes a ticket", async () => {
    const inside = "acme/widgets";
    const issue = app.gh.world.issue(inside, { title: "Fix the widget", author: "bob" });
    app.gh.world.labelIssue(inside, issue.number, ["mission-control"], "bob");
    await app.settle();
    expect(
      await app.lifecycle.issues.ticketByIssue({ repository: inside, issueNumber: issue.number }),
    ).toMatchObject({ title: "Fix the widget", state: "todo" });
  });
});
