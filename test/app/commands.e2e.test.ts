import { afterEach, beforeEach, expect, it } from "vitest";
import { givenTicket } from "../builders/tickets.js";
import { describeOnDriver } from "../helpers/databases.js";
import { type AppHarness, givenWidgets, startApp } from "./support/harness.js";
import { expectOutsiderIgnored } from "./support/outsiders.js";
import { givenNeedsInput } from "./support/tickets.js";

/**
 * `/mc` commands end to end: the stand-in delivers real signed `issue_comment` webhooks to the app
 * over HTTP; the app checks permissions with the API, acts through the lifecycle, and replies.
 */
describeOnDriver("/mc commands over HTTP", (ctx) => {
  let app: AppHarness;
  let repo: string;

  beforeEach(async () => {
    app = await startApp(ctx.db());
    repo = givenWidgets(app);
  });
  afterEach(async () => app?.stop());

  /** A ticket mirrored to a fresh issue (linked by hand: these tests are about commands). */
  async function ticketWithIssue() {
    const ticket = await givenTicket(app.lifecycle, { repository: repo });
    const issue = app.gh.world.issue(repo, { title: ticket.title, author: "alice" });
    const linked = await app.lifecycle.issues.linkIssue({ ticketId: ticket.id, issueNumber: issue.number });
    expect(linked.ok).toBe(true);
    return { ticket: { ...ticket, issueNumber: issue.number }, issue: issue.number };
  }

  const replies = (issue: number) =>
    app.gh.world.commentsOf(repo, issue).filter((c) => c.body.includes("mission-control:reply-to"));

  it("/mc answer by a writer answers the question, reacts, and replies once", async () => {
    const { ticket, issue } = await ticketWithIssue();
    await givenNeedsInput(app.lifecycle, ticket, "Which database?");
    const comment = app.gh.world.comment(repo, issue, {
      author: "bob",
      body: "/mc answer PostgreSQL, please",
    });
    await app.settle();

    const questions = await app.lifecycle.questionsOf(ticket.id);
    expect(questions.at(-1)).toMatchObject({ answer: "PostgreSQL, please", answeredBy: "bob" });
    expect((await app.lifecycle.findAnsweredTickets(10)).map((t) => t.key)).toEqual([ticket.key]);
    expect(replies(issue)).toHaveLength(1);
    expect(replies(issue)[0]?.body).toContain("answer recorded");
    expect(
      app.gh.requests.count({ route: "POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions" }),
    ).toBe(1);
    expect(await app.store.commandReplies.find(comment.id)).toMatchObject({
      outcome: "answered",
      author: "bob",
    });
  });

  it("/mc answer by a reader is refused without a reaction or a reply, and changes nothing", async () => {
    const { ticket, issue } = await ticketWithIssue();
    const waiting = await givenNeedsInput(app.lifecycle, ticket, "Which database?");
    await expectOutsiderIgnored(app, repo, issue, "rita", "/mc answer MySQL");

    const after = await app.lifecycle.findTicket(ticket.key);
    expect(after?.version).toBe(waiting.version);
    expect((await app.lifecycle.questionsOf(ticket.id)).at(-1)?.answer).toBeNull();
    expect(replies(issue)).toHaveLength(0);
  });

  it("an edited comment never runs a command", async () => {
    const { ticket, issue } = await ticketWithIssue();
    const comment = app.gh.world.comment(repo, issue, { author: "bob", body: "looks good" });
    await app.settle();
    app.gh.world.editComment(repo, comment.id, { body: "/mc cancel", author: "bob" });
    await app.settle();

    expect((await app.lifecycle.findTicket(ticket.key))?.state).toBe("todo");
    expect(replies(issue)).toHaveLength(0);
    const events = app.gh.webhooks.deliveries.map((d) => d.statusCode);
    expect(events.every((status) => status >= 200 && status < 300)).toBe(true);
  });

  it("the same delivery twice has one effect", async () => {
    const { ticket, issue } = await ticketWithIssue();
    app.gh.world.comment(repo, issue, { author: "bob", body: "/mc priority urgent" });
    await app.settle();
    const first = app.gh.webhooks.deliveries.find((d) => d.event === "issue_comment");
    expect(first).toBeDefined();
    app.gh.webhooks.redeliver(first?.id ?? -1);
    await app.settle();

    const history = await app.lifecycle.ticketHistory(ticket.id);
    expect(history.filter((e) => e.reason === "priority_changed")).toHaveLength(1);
    expect((await app.lifecycle.findTicket(ticket.key))?.priority).toBe("urgent");
    expect(replies(issue)).toHaveLength(1);
    expect(app.gh.webhooks.deliveries.filter((d) => d.guid === first?.guid)).toHaveLength(2);
  });

  it("a bot's comment does nothing", async () => {
    const { ticket, issue } = await ticketWithIssue();
    app.gh.world.user("ci-helper[bot]", { type: "Bot" });
    app.gh.world.permission(repo, "ci-helper[bot]", "admin");
    app.gh.world.comment(repo, issue, { author: "ci-helper[bot]", body: "/mc cancel" });
    await app.settle();

    expect((await app.lifecycle.findTicket(ticket.key))?.state).toBe("todo");
    expect(app.gh.world.commentsOf(repo, issue)).toHaveLength(1);
  });

  it("a malformed command gets the usage; /mc claim assigns the commenter", async () => {
    const { ticket, issue } = await ticketWithIssue();
    app.gh.world.comment(repo, issue, { author: "bob", body: "/mc priority sometime" });
    app.gh.world.comment(repo, issue, { author: "bob", body: "/mc claim" });
    await app.settle();

    const bodies = replies(issue).map((c) => c.body);
    expect(bodies).toHaveLength(2);
    expect(bodies[0]).toContain("/mc priority <urgent|high|normal|low>");
    expect(bodies[1]).toContain("assigned to @bob");
    expect((await app.lifecycle.findTicket(ticket.key))?.assignee).toBe("bob");
  });
});
