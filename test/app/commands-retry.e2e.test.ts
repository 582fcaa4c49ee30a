import { afterEach, beforeEach, expect, it } from "vitest";
import { runOrchestratorPass } from "../../src/orchestrator/pass.js";
import { human } from "../builders/tickets.js";
import { describeOnDriver } from "../helpers/databases.js";
import { givenVerdict, givenVerifying } from "../inbox/support.js";
import { type AppHarness, givenWidgets, startApp } from "./support/harness.js";
import { expectOutsiderIgnored } from "./support/outsiders.js";

/**
 * `/mc retry` end to end over HTTP (real signed `issue_comment` webhooks from the stand-in): a
 * ticket held for a person with an open inbox item is released by a writer's `/mc retry`, with
 * exactly one reply; a ticket held after max_attempts is granted one more attempt (or
 * `attempts=N`); a reader is refused and nothing changes.
 */
describeOnDriver("/mc retry over HTTP", (ctx) => {
  let app: AppHarness;
  let repo: string;

  beforeEach(async () => {
    app = await startApp(ctx.db());
    repo = givenWidgets(app);
  });
  afterEach(async () => app?.stop());

  /** A failed completion held for a person (`retry_failed_completions: false`), linked to an issue. */
  async function heldFailedCompletion() {
    const { ticket, attemptId } = await givenVerifying(app.lifecycle);
    await givenVerdict(app.lifecycle, { ticketKey: ticket.key, attemptId }, "fail");
    const report = await runOrchestratorPass({
      inbox: app.lifecycle.inbox,
      setting: () => app.lifecycle.tasks.setting("orchestrate"),
      rules: { reviewRequired: false, retryFailedCompletions: false },
      holder: "orchestrator-test",
      leaseMs: 60_000,
      batchSize: 10,
    });
    expect(report).toMatchObject({ outcomes: [{ outcome: "handed_over" }] });
    const held = await app.lifecycle.findTicket(ticket.key);
    expect(held).toMatchObject({ state: "todo", hold: "inbox:completion_failed" });
    const issue = app.gh.world.issue(repo, { title: ticket.title, author: "alice" });
    const linked = await app.lifecycle.issues.linkIssue({ ticketId: ticket.id, issueNumber: issue.number });
    expect(linked.ok).toBe(true);
    return { ticket, issue: issue.number };
  }

  async function command(issue: number, author: string, body: string) {
    const comment = app.gh.world.comment(repo, issue, { author, body });
    await app.settle();
    const reply = await app.store.commandReplies.find(comment.id);
    const posted = app.gh.world
      .commentsOf(repo, issue)
      .filter((c) => c.body.includes("mission-control:reply-to") && c.body.includes(String(comment.id)));
    expect(posted, `one reply to "${body}" by ${author}`).toHaveLength(1);
    return { outcome: reply?.outcome, text: posted[0]?.body ?? "" };
  }

  it("by a reader it is refused; by a writer it releases the hold, acts on the inbox item and replies once", async () => {
    const { ticket, issue } = await heldFailedCompletion();

    // A reader cannot write here: refused without a reaction or a reply.
    await expectOutsiderIgnored(app, repo, issue, "rita", "/mc retry");
    expect((await app.lifecycle.findTicket(ticket.key))?.hold).toBe("inbox:completion_failed");
    expect((await app.lifecycle.inbox.ofTicket(ticket.id)).filter((i) => i.state !== "acted")).toHaveLength(
      1,
    );

    const retried = await command(issue, "bob", "/mc retry");
    expect(retried.outcome).toBe("retried");
    expect(retried.text).toContain(`${ticket.key} is back in the queue`);
    expect(await app.lifecycle.findTicket(ticket.key)).toMatchObject({ state: "todo", hold: null });
    const items = await app.lifecycle.inbox.ofTicket(ticket.id);
    expect(items.find((i) => i.kind === "completion_failed")).toMatchObject({
      state: "acted",
      result: { decision: "retry", hold: "release", actor: { kind: "human", id: "bob" } },
    });

    // Nothing is left to retry: a second /mc retry is refused with the reason, and replied to once.
    const again = await command(issue, "bob", "/mc retry");
    expect(again.outcome).not.toBe("retried");
    expect(again.text).toMatch(/not held: there is nothing to retry/);
  });

  /** A ticket held for max_attempts after one attempt (as the dispatcher holds it), linked to an issue. */
  async function heldAfterMaxAttempts(title: string) {
    const { ticket } = await givenVerifying(app.lifecycle, title);
    const todo = await app.lifecycle.transition({
      ticket: ticket.key,
      from: "verifying",
      expectedVersion: ticket.version,
      to: "todo",
      reason: "rejected",
      actor: human,
    });
    if (!todo.ok) throw new Error(`set-up: ${todo.message}`);
    const held = await app.lifecycle.holdTicket({
      ticket: ticket.key,
      expectedVersion: todo.ticket.version,
      hold: "max_attempts_reached",
      actor: { kind: "dispatcher", id: "dispatcher-test" },
      fence: null,
      maxAttempts: 1,
    });
    expect(held.ok).toBe(true);
    const issue = app.gh.world.issue(repo, { title: ticket.title, author: "alice" });
    expect(
      (await app.lifecycle.issues.linkIssue({ ticketId: ticket.id, issueNumber: issue.number })).ok,
    ).toBe(true);
    return { ticket, issue: issue.number };
  }

  it("a ticket held for max_attempts is granted one more attempt by /mc retry, acting on its inbox item", async () => {
    const { ticket, issue } = await heldAfterMaxAttempts("out of attempts");

    await expectOutsiderIgnored(app, repo, issue, "rita", "/mc retry");
    expect(await app.lifecycle.findTicket(ticket.key)).toMatchObject({
      hold: "max_attempts_reached",
      extraAttempts: 0,
    });

    const granted = await command(issue, "bob", "/mc retry");
    expect(granted.outcome).toBe("attempts_granted");
    expect(granted.text).toContain(`${ticket.key}: 1 more attempt granted (1 of 2 used); back in the queue`);
    expect(await app.lifecycle.findTicket(ticket.key)).toMatchObject({
      state: "todo",
      hold: null,
      extraAttempts: 1,
    });
    const [item] = await app.lifecycle.inbox.ofTicket(ticket.id);
    expect(item).toMatchObject({
      kind: "max_attempts_reached",
      state: "acted",
      result: {
        decision: "grant_attempts",
        attempts: 1,
        hold: "release",
        actor: { kind: "human", id: "bob" },
        applied: { grant: { attemptsUsed: 1, budget: 2 } },
      },
    });
    const reasons = (await app.lifecycle.ticketHistory(ticket.id)).map((e) => e.reason);
    expect(reasons.slice(-2)).toEqual(["attempts_granted", "hold_released"]);

    // Granted and back in the queue: nothing is left to retry.
    const again = await command(issue, "bob", "/mc retry");
    expect(again.outcome).toBe("not_held");
    expect((await app.lifecycle.findTicket(ticket.key))?.extraAttempts).toBe(1);
  });

  it("/mc retry attempts=N grants N; a bad count gets the usage; attempts= on another hold is refused", async () => {
    const { ticket, issue } = await heldAfterMaxAttempts("needs a few more");

    const bad = await command(issue, "bob", "/mc retry attempts=11");
    expect(bad.outcome).toBe("usage_error");
    expect(bad.text).toMatch(/attempts= must be a whole number from 1 to 10/);
    expect(bad.text).toContain("/mc retry [<1-10> | attempts=<1-10>]");
    expect((await app.lifecycle.findTicket(ticket.key))?.extraAttempts).toBe(0);

    const granted = await command(issue, "bob", "/mc retry attempts=3");
    expect(granted.outcome).toBe("attempts_granted");
    expect(granted.text).toContain(`${ticket.key}: 3 more attempts granted (1 of 4 used); back in the queue`);
    expect(await app.lifecycle.findTicket(ticket.key)).toMatchObject({ hold: null, extraAttempts: 3 });

    // A ticket held for another reason is only released by /mc retry: it has no attempts to grant.
    const failed = await heldFailedCompletion();
    const wrong = await command(failed.issue, "bob", "/mc retry attempts=2");
    expect(wrong.outcome).toBe("no_attempts_to_grant");
    expect(wrong.text).toMatch(/held \(inbox:completion_failed\), not for max_attempts/);
    expect((await app.lifecycle.findTicket(failed.ticket.key))?.hold).toBe("inbox:completion_failed");
  });

  it("/mc retry 2 is /mc retry attempts=2, in any case of the prefix and the name", async () => {
    const { ticket, issue } = await heldAfterMaxAttempts("two more, said plainly");
    const granted = await command(issue, "bob", "/MC Retry 2");
    expect(granted.outcome).toBe("attempts_granted");
    expect(granted.text).toContain(`${ticket.key}: 2 more attempts granted`);
    expect(await app.lifecycle.findTicket(ticket.key)).toMatchObject({ hold: null, extraAttempts: 2 });
  });
});
