import { afterEach, beforeEach, expect, it } from "vitest";
import { commandPass } from "../../src/app/commands/worker.js";
import { runUntilIdle } from "../../src/store/index.js";
import { givenTicket } from "../builders/tickets.js";
import { describeOnDriver } from "../helpers/databases.js";
import { type AppHarness, givenWidgets, startApp } from "./support/harness.js";

const REPLY_ROUTE = "/repos/{owner}/{repo}/issues/{issue_number}/comments";

/**
 * `/mc` commands leave the webhook request: the handler records the comment in `command_requests`
 * and answers the delivery; the command worker (run here as `startAppWorkers` runs it) makes every
 * GitHub request, changes the ticket and replies, exactly once even when GitHub fails in between.
 */
describeOnDriver("/mc commands are queued for the command worker", (ctx) => {
  let app: AppHarness;
  let repo: string;

  beforeEach(async () => {
    app = await startApp(ctx.db());
    repo = givenWidgets(app);
  });
  afterEach(async () => app?.stop());

  async function ticketWithIssue() {
    const ticket = await givenTicket(app.lifecycle, { repository: repo });
    const issue = app.gh.world.issue(repo, { title: ticket.title, author: "alice" });
    const linked = await app.lifecycle.issues.linkIssue({ ticketId: ticket.id, issueNumber: issue.number });
    expect(linked.ok).toBe(true);
    return { ticket, issue: issue.number };
  }

  const replies = (issue: number) =>
    app.gh.world.commentsOf(repo, issue).filter((c) => c.viaAppId === app.gh.app.id);

  it("the delivery is answered before any GitHub request is made for the command", async () => {
    const { ticket, issue } = await ticketWithIssue();
    const requestsBefore = app.gh.requests.entries.length;
    const comment = app.gh.world.comment(repo, issue, { author: "bob", body: "/mc priority urgent" });
    // Every delivery sent so far is answered; no worker has run yet.
    await app.gh.webhooks.settle();

    const delivery = app.gh.webhooks.deliveries.findLast((d) => d.event === "issue_comment");
    expect(delivery?.statusCode).toBe(200);
    expect(await app.store.deliveries.find(delivery?.guid ?? "")).toMatchObject({
      outcome: "command:queued",
    });
    expect(app.gh.requests.entries.length).toBe(requestsBefore);
    expect(await app.store.commandRequests.find(comment.id)).toMatchObject({
      repository: repo,
      issueNumber: issue,
      author: "bob",
      body: "/mc priority urgent",
      deliveryId: delivery?.guid,
      doneAt: null,
    });
    expect(await app.store.commandReplies.find(comment.id)).toBeUndefined();
    expect((await app.lifecycle.findTicket(ticket.key))?.priority).toBe(ticket.priority);

    await app.settle();
    expect(app.gh.requests.entries.length).toBeGreaterThan(requestsBefore);
    expect((await app.lifecycle.findTicket(ticket.key))?.priority).toBe("urgent");
    expect(replies(issue)).toHaveLength(1);
    expect(await app.store.commandRequests.find(comment.id)).toMatchObject({ doneAt: expect.any(Date) });
    expect(await app.store.commandRequests.backlog()).toBe(0);
  });

  it("a bot's comment and a comment that is no command are not queued", async () => {
    const { issue } = await ticketWithIssue();
    const plain = app.gh.world.comment(repo, issue, { author: "bob", body: "looks good" });
    const bot = app.gh.world.comment(repo, issue, { author: "helper[bot]", body: "/mc cancel" });
    await app.settle();
    expect(await app.store.commandRequests.find(plain.id)).toBeUndefined();
    expect(await app.store.commandRequests.find(bot.id)).toBeUndefined();
    expect(replies(issue)).toHaveLength(0);
  });

  it("a command whose reply fails on a GitHub 5xx is retried and replied to exactly once", async () => {
    const { ticket, issue } = await ticketWithIssue();
    app.gh.faults.add({
      method: "POST",
      route: REPLY_ROUTE,
      fault: { kind: "status", status: 502 },
      times: 1,
    });
    const comment = app.gh.world.comment(repo, issue, { author: "bob", body: "/mc priority urgent" });
    await app.gh.webhooks.settle();
    // No back-off wait: the retry is due at once, so the test never waits on a clock.
    const deps = app.commandDeps({ retry: { baseMs: 0, capMs: 0 } });

    const first = await commandPass(deps);
    expect(first).toMatchObject({ taken: 1, done: 0, failed: 1 });
    expect(await app.store.commandRequests.find(comment.id)).toMatchObject({
      tries: 1,
      doneAt: null,
      lastError: expect.stringContaining("Server Error"),
    });
    // The command ran and its outcome is stored; only the reply is missing.
    expect((await app.lifecycle.findTicket(ticket.key))?.priority).toBe("urgent");
    expect(await app.store.commandReplies.find(comment.id)).toMatchObject({ replyCommentId: null });
    expect(replies(issue)).toHaveLength(0);

    const rest = await runUntilIdle(() => commandPass(deps));
    expect(rest).toMatchObject({ done: 1, failed: 0 });
    await app.settle();
    expect(replies(issue)).toHaveLength(1);
    expect(await app.store.commandReplies.find(comment.id)).toMatchObject({
      outcome: "priority_changed",
      replyCommentId: replies(issue)[0]?.id,
    });
    expect(app.gh.requests.count({ route: `POST ${REPLY_ROUTE}`, status: 502 })).toBe(1);
    expect(app.gh.requests.count({ route: `POST ${REPLY_ROUTE}`, status: 201 })).toBe(1);
    expect(await app.store.commandRequests.find(comment.id)).toMatchObject({ doneAt: expect.any(Date) });
  });

  it("a request whose worker died is taken over after the lease and replied to once", async () => {
    const { issue } = await ticketWithIssue();
    const comment = app.gh.world.comment(repo, issue, { author: "bob", body: "/mc status" });
    await app.gh.webhooks.settle();
    // A worker takes the request with a lease that has already run out, then dies without a word.
    const taken = await app.store.commandRequests.take({ worker: "dead", leaseMs: -1, limit: 10 });
    expect(taken.map((r) => r.commentId)).toEqual([comment.id]);

    const report = await runUntilIdle(() => commandPass(app.commandDeps()));
    expect(report).toMatchObject({ taken: 1, done: 1 });
    await app.settle();
    expect(replies(issue)).toHaveLength(1);
    expect(await app.store.commandRequests.find(comment.id)).toMatchObject({ lockedBy: "test-command" });
  });
});
