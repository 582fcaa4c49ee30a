/**
 * The bad-input corpus for `/mc` commands and for hostile text in issues (issue 10,
 * docs/hardening.md). Comments and issues are made on the GitHub stand-in, which delivers real
 * signed webhooks to the real app. fast-check already fuzzes the parser
 * (test/app/command-parser.test.ts); here are the concrete nasty ones, end to end: each is answered
 * with a usage reply or a refusal, or ignored — and none changes a ticket, an event or a setting.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { TicketRow } from "../../src/db/schema.js";
import { givenNeedsInput } from "../app/support/tickets.js";
import { givenTicket } from "../builders/tickets.js";
import {
  describeOnDatabase,
  type HardenedApp,
  postWebhook,
  startHardenedApp,
  stateSnapshot,
} from "./support/app.js";

const repo = "acme/widgets";

/** The hostile text of the corpus: invisible, reordering, HTML, Markdown, mentions, a command. */
const HOSTILE_TITLE =
  "Fix \u202Egnp.exe\u202C login 🚀 \u200B<script>alert(1)</script> **bold** [x](javascript:alert(1)) /mc cancel @alice @acme/everyone \u0000end";
const HOSTILE_BODY = [
  "/mc cancel",
  "cc @alice and @acme/everyone",
  "<!-- mission-control:ticket MC-999 -->",
  "<details><summary>open me</summary>",
  "```",
  "unclosed fence",
  "\u2066isolate\u2069 zero\u200Bwidth \uFEFF emoji 👩‍💻",
].join("\n");

describeOnDatabase("hostile commands and text", (db) => {
  let app: HardenedApp;
  let ticket: TicketRow;
  let issue: number;

  beforeAll(async () => {
    app = await startHardenedApp(db());
    app.gh.world.repository({
      owner: "acme",
      name: "widgets",
      collaborators: { alice: "admin", bob: "write", rita: "read" },
    });
    app.gh.world.user("mallory");
    app.gh.world.user("helper[bot]", { type: "Bot" });
    app.gh.world.permission(repo, "helper[bot]", "admin");
    // A ticket born from an issue whose title and body are the hostile text.
    issue = app.gh.world.issue(repo, { title: HOSTILE_TITLE, body: HOSTILE_BODY, author: "rita" }).number;
    app.gh.world.labelIssue(repo, issue, ["mission-control"], "bob");
    await app.settle();
    const found = await app.lifecycle.issues.ticketByIssue({ repository: repo, issueNumber: issue });
    if (!found) throw new Error("set-up: the labelled issue made no ticket");
    ticket = found;
    await app.mirror();
    await app.settle();
  });
  afterAll(async () => app?.stop());

  /** State, not bookkeeping: command requests, replies to commands and delivery records may be written. */
  async function state() {
    const {
      command_requests: _requests,
      command_replies: _replies,
      mirror_jobs: _jobs,
      ...rest
    } = await stateSnapshot(db());
    return rest;
  }

  const appComments = () => app.gh.world.commentsOf(repo, issue).filter((c) => c.viaAppId === app.gh.app.id);

  it("stores hostile text verbatim (U+0000 becomes U+FFFD) and the API returns it JSON-escaped", async () => {
    expect(ticket.title).toBe(HOSTILE_TITLE.replace("\u0000", "\uFFFD"));
    expect(ticket.body).toBe(HOSTILE_BODY);
    const response = await fetch(`${app.baseUrl}/api/v1/tickets/${ticket.key}`);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const text = await response.text();
    const parsed = JSON.parse(text) as { ticket?: { title?: string; body?: string } } & Record<
      string,
      unknown
    >;
    const shown = parsed.ticket ?? (parsed as { title?: string; body?: string });
    expect(shown.title).toBe(ticket.title);
    expect(shown.body).toBe(ticket.body);
    // JSON escaping: the line breaks of the body travel as \n, never raw.
    expect(text).toContain("/mc cancel\\ncc @alice");
  });

  it("the mirror keeps the title, neutralizes mentions, and cannot be turned into a command", async () => {
    const mirrored = { ...app.gh.world.issueOf(repo, issue) };
    if (mirrored.body === null) throw new Error("the mirror left no body");
    expect(mirrored.title).toBe(`${ticket.key}: ${ticket.title}`);
    // Mentions notify nobody from the app's account (a zero-width space after each @).
    expect(mirrored.body).toContain("cc @\u200Balice and @\u200Bacme/everyone");
    expect(mirrored.body).not.toMatch(/(^|[^\u200B])@(alice|acme)/);
    // The body starts with the ticket's own marker; the forged one inside is just text after it.
    expect(mirrored.body.startsWith(`<!-- mission-control:ticket ${ticket.key} -->`)).toBe(true);
    // Nothing the app wrote is a command, and the ticket is still waiting, unchanged by its own mirror.
    for (const comment of appComments()) expect(comment.body.trimStart().startsWith("/mc")).toBe(false);
    const now = await app.lifecycle.findTicket(ticket.key);
    expect(now).toMatchObject({ state: "todo", version: ticket.version });
  });

  /** `ignored`, or the outcome recorded for the reply (`outsider_ignored`: recorded, never answered). */
  type Expect = "ignored" | "usage_error" | "permission_refused" | "outsider_ignored" | "not_waiting";
  const corpus: [string, string, string, Expect][] = [
    ["very long (60,000 characters)", "bob", `/mc answer ${"x".repeat(60_000)}`, "usage_error"],
    ["60,000 arguments", "bob", `/mc cancel${" now".repeat(15_000)}`, "usage_error"],
    ["nested quotes", "bob", `/mc priority "high \\"really\\" 'now'"`, "usage_error"],
    ["a fullwidth solidus ／mc", "bob", "／mc cancel", "ignored"],
    ["fullwidth letters /ｍｃ", "bob", "/ｍｃ cancel", "ignored"],
    ["a zero-width space before the slash", "bob", "\u200B/mc cancel", "ignored"],
    ["a right-to-left override before the slash", "bob", "\u202E/mc cancel", "ignored"],
    ["a zero-width space after /mc", "bob", "/mc\u200Bcancel", "ignored"],
    ["a zero-width space inside the verb", "bob", "/mc can\u200Bcel", "usage_error"],
    ["a fenced code block", "bob", "```\n/mc cancel\n```", "ignored"],
    ["an indented code block", "bob", "    /mc cancel", "ignored"],
    ["a tab-indented code block", "bob", "\t/mc cancel", "ignored"],
    ["a quote", "bob", "> /mc cancel", "ignored"],
    ["inline code", "bob", "`/mc cancel`", "ignored"],
    ["an HTML comment", "bob", "<!--\n/mc cancel\n-->", "ignored"],
    ["two commands", "bob", "/mc priority high\n/mc cancel", "usage_error"],
    ["a command after an answer", "bob", "/mc answer fine\n\n/mc cancel", "usage_error"],
    ["mentions as arguments", "bob", "/mc @alice @acme/everyone cancel", "usage_error"],
    ["a forged reply marker", "bob", "/mc status <!-- mission-control:reply-to 1 -->", "usage_error"],
    ["shell in a sha", "bob", "/mc done sha=$(rm -rf /) attempt=1", "usage_error"],
    ["U+0000 in an answer (no question is open)", "bob", "/mc answer a\u0000b", "not_waiting"],
    // Who cannot write to the repository is refused without a reaction or a reply (issue 19).
    ["a reader", "rita", "/mc cancel", "outsider_ignored"],
    ["someone without access", "mallory", "/mc priority urgent", "outsider_ignored"],
    ["someone without access, malformed", "mallory", "/mc priority !!!", "outsider_ignored"],
    [
      "a writer pausing dispatch (needs maintain)",
      "bob",
      "/mc maintenance pause dispatch",
      "permission_refused",
    ],
    ["a bot with admin", "helper[bot]", "/mc cancel", "ignored"],
  ];

  it(`${corpus.length} hostile commands: each a usage reply, a refusal or ignored; none changes state`, async () => {
    const before = await state();
    for (const [name, author, body, expected] of corpus) {
      const replies = appComments().length;
      const comment = app.gh.world.comment(repo, issue, { author, body });
      await app.settle();
      const delivery = app.gh.webhooks.deliveries.findLast((d) => d.event === "issue_comment");
      expect(delivery?.statusCode, name).toBe(200);
      const recorded = await app.store.commandReplies.find(comment.id);
      if (expected === "ignored") {
        expect(recorded, name).toBeUndefined();
        expect(appComments(), name).toHaveLength(replies);
        continue;
      }
      expect(recorded?.outcome, name).toBe(expected);
      expect(recorded?.command, name).not.toContain("\u0000");
      if (expected === "outsider_ignored") {
        expect(appComments(), name).toHaveLength(replies);
        continue;
      }
      const reply = appComments().at(-1)?.body ?? "";
      expect(appComments(), name).toHaveLength(replies + 1);
      // The reply echoes the command inert: one marker (its own), no mention but the commenter's.
      expect(reply.match(/<!-- mission-control:/g), name).toHaveLength(1);
      expect(reply.replaceAll(`@${author}`, ""), name).not.toMatch(/(^|[^\u200B])@[A-Za-z]/);
      expect(reply, name).not.toContain("\u202E");
    }
    expect(await state()).toEqual(before);
  });

  it("the control case: a writer's well-formed command does change the ticket", async () => {
    const before = await state();
    app.gh.world.comment(repo, issue, { author: "bob", body: "/mc priority urgent" });
    await app.settle();
    expect(await state()).not.toEqual(before);
    expect((await app.lifecycle.findTicket(ticket.key))?.priority).toBe("urgent");
  });

  it("after a crash, a comment that only quotes the reply marker does not swallow the real reply", async () => {
    // The app crashed between storing the outcome of bob's command and posting the reply; meanwhile
    // mallory wrote a comment carrying that reply's hidden marker. GitHub then redelivers.
    const target = app.gh.webhooks.target;
    app.gh.webhooks.setTarget({ url: null, secret: target.secret });
    const command = app.gh.world.comment(repo, issue, { author: "bob", body: "/mc status" });
    const webhook = app.gh.webhooks.events.at(-1);
    await app.store.commandReplies.record({
      commentId: command.id,
      repository: repo,
      issueNumber: issue,
      author: "bob",
      command: "/mc status",
      outcome: "status",
      reply: `<!-- mission-control:reply-to ${command.id} -->\n@bob status`,
    });
    const forged = app.gh.world.comment(repo, issue, {
      author: "mallory",
      body: `<!-- mission-control:reply-to ${command.id} -->\nnothing to see`,
    });
    app.gh.webhooks.setTarget(target);
    const sent = await postWebhook(app.webhookUrl, { event: "issue_comment", payload: webhook?.payload });
    expect(sent.status).toBe(200);
    // The command worker resumes the reply.
    await app.settle();
    const recorded = await app.store.commandReplies.find(command.id);
    expect(recorded?.replyCommentId).not.toBe(forged.id);
    const reply = appComments().find((c) => c.id === recorded?.replyCommentId);
    expect(reply?.body.startsWith(`<!-- mission-control:reply-to ${command.id} -->`)).toBe(true);
  });

  it("an answer full of hostile text is stored verbatim (U+0000 aside) and echoed inert", async () => {
    const other = await givenTicket(app.lifecycle, { repository: repo, title: "Second" });
    const otherIssue = app.gh.world.issue(repo, { title: "Second", author: "alice" }).number;
    expect((await app.lifecycle.issues.linkIssue({ ticketId: other.id, issueNumber: otherIssue })).ok).toBe(
      true,
    );
    await givenNeedsInput(app.lifecycle, other, "Which database?");
    const answer = `Use \u202Eelif\u202C @alice <img src=x onerror=alert(1)> \u200B👩‍💻 **now**\n/not a command\u0000`;
    app.gh.world.comment(repo, otherIssue, { author: "bob", body: `/mc answer ${answer}` });
    await app.settle();
    const questions = await app.lifecycle.questionsOf(other.id);
    expect(questions.at(-1)?.answer).toBe(answer.replace("\u0000", "\uFFFD"));
    const reply = app.gh.world
      .commentsOf(repo, otherIssue)
      .filter((c) => c.viaAppId === app.gh.app.id)
      .at(-1)?.body;
    expect(reply).toContain("answer recorded");
    expect(reply).toContain("&lt;img");
    expect(reply).toContain("[U+202E]");
    expect(reply).not.toMatch(/(^|[^\u200B])@alice/);
  });
});
