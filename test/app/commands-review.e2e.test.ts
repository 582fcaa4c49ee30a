import { afterEach, beforeEach, expect, it } from "vitest";
import { scenario } from "../evidence/support.js";
import { describeOnDriver } from "../helpers/databases.js";
import { type AppHarness, startApp } from "./support/harness.js";
import { expectOutsiderIgnored } from "./support/outsiders.js";
import { givenNeedsInput } from "./support/tickets.js";

/**
 * More `/mc` commands end to end over HTTP (real signed `issue_comment` webhooks from the stand-in):
 * approve, reject, release, cancel, done, and maintenance with maintain vs write permission.
 */
describeOnDriver("/mc review and maintenance commands over HTTP", (ctx) => {
  let app: AppHarness;
  beforeEach(async () => {
    app = await startApp(ctx.db());
    app.gh.world.app({ slug: "ci", name: "CI" });
  });
  afterEach(async () => app?.stop());

  /** A scenario repository where bob writes and mia maintains, with `ci/test` required. */
  function world() {
    const s = scenario(app.gh, ctx.db(), { required_checks: [{ name: "ci/test" }] });
    app.gh.world.permission(s.repository, "bob", "write");
    app.gh.world.permission(s.repository, "mia", "maintain");
    return s;
  }

  async function onIssue(repository: string, key: string) {
    const ticket = await app.lifecycle.findTicket(key);
    if (!ticket) throw new Error(`no ticket ${key}`);
    const issue = app.gh.world.issue(repository, { title: ticket.title, author: "bob" });
    const linked = await app.lifecycle.issues.linkIssue({ ticketId: ticket.id, issueNumber: issue.number });
    expect(linked.ok).toBe(true);
    return { ticket, issue: issue.number };
  }

  async function command(repository: string, issue: number, author: string, body: string) {
    const comment = app.gh.world.comment(repository, issue, { author, body });
    await app.settle();
    const reply = await app.store.commandReplies.find(comment.id);
    const posted = app.gh.world
      .commentsOf(repository, issue)
      .filter((c) => c.body.includes(`mission-control:reply-to`) && c.body.includes(String(comment.id)));
    expect(posted, `one reply to "${body}"`).toHaveLength(1);
    return { outcome: reply?.outcome, text: posted[0]?.body ?? "" };
  }

  it("/mc approve takes a verifying ticket to done; /mc reject sends another back to todo", async () => {
    const s = world();
    // Approving stands on a passing verdict (commands-override.e2e.test.ts has the other cases).
    const sha = s.commit();
    app.gh.world.checkRun(s.repository, { app: "ci", name: "ci/test", headSha: sha, conclusion: "success" });
    const approved = await onIssue(s.repository, (await s.verifyingTicket(sha)).key);
    const rejected = await onIssue(s.repository, (await s.verifyingTicket(s.commit())).key);
    await app.settle();

    expect((await command(s.repository, approved.issue, "bob", "/mc approve")).outcome).toBe("accepted");
    expect((await app.lifecycle.findTicket(approved.ticket.key))?.state).toBe("done");

    const reject = await command(s.repository, rejected.issue, "bob", "/mc reject the tests are flaky");
    expect(reject.outcome).toBe("rejected");
    expect((await app.lifecycle.findTicket(rejected.ticket.key))?.state).toBe("todo");

    // A reader cannot approve.
    app.gh.world.permission(s.repository, "rita", "read");
    const third = await onIssue(s.repository, (await s.verifyingTicket(s.commit())).key);
    await expectOutsiderIgnored(app, s.repository, third.issue, "rita", "/mc approve");
    expect((await app.lifecycle.findTicket(third.ticket.key))?.state).toBe("verifying");
  });

  it("/mc release takes a waiting ticket back from its agent; /mc cancel cancels", async () => {
    const s = world();
    const { key } = await s.verifyingTicket(s.commit());
    const waiting = await onIssue(s.repository, key);
    const other = await onIssue(s.repository, (await s.verifyingTicket(s.commit())).key);
    // Reject the first back to todo, then have the agent ask: it is `needs_input`.
    const rejected = await command(s.repository, waiting.issue, "bob", "/mc reject");
    expect(rejected.outcome).toBe("rejected");
    const todo = await app.lifecycle.findTicket(key);
    if (!todo) throw new Error("no ticket");
    await givenNeedsInput(app.lifecycle, todo, "Which one?");

    const release = await command(s.repository, waiting.issue, "bob", "/mc release");
    expect(release.outcome).toBe("released");
    expect((await app.lifecycle.findTicket(key))?.state).toBe("todo");

    const cancel = await command(s.repository, other.issue, "bob", "/mc cancel");
    expect(cancel.outcome).toBe("cancelled");
    expect((await app.lifecycle.findTicket(other.ticket.key))?.state).toBe("cancelled");
  });

  it("/mc release of a waiting ticket a person claimed: unassigned, then released, in two writes", async () => {
    const s = world();
    const { key } = await s.verifyingTicket(s.commit());
    const waiting = await onIssue(s.repository, key);
    expect((await command(s.repository, waiting.issue, "bob", "/mc reject")).outcome).toBe("rejected");
    const todo = await app.lifecycle.findTicket(key);
    if (!todo) throw new Error("no ticket");
    await givenNeedsInput(app.lifecycle, todo, "Which one?");
    expect((await command(s.repository, waiting.issue, "bob", "/mc claim")).outcome).toBe("claimed");
    const claimed = await app.lifecycle.findTicket(key);

    const release = await command(s.repository, waiting.issue, "bob", "/mc release");
    expect(release.outcome).toBe("released");
    expect(release.text).toContain(`${key} is back in todo (was needs_input)`);
    const released = await app.lifecycle.findTicket(key);
    expect(released).toMatchObject({ state: "todo", assignee: null, version: (claimed?.version ?? 0) + 2 });
    const history = await app.lifecycle.ticketHistory(released?.id ?? 0);
    expect(history.slice(-2).map((event) => event.reason)).toEqual(["assigned", "released"]);
  });

  it("/mc done sha=… attempt=… verifies the attempt's evidence and never closes the ticket", async () => {
    const s = world();
    const sha = s.commit();
    const { key, attemptId } = await s.verifyingTicket(sha);
    const { ticket, issue } = await onIssue(s.repository, key);
    const done = await command(s.repository, issue, "bob", `/mc done sha=${sha} attempt=${attemptId}`);
    expect(done.outcome).toMatch(/^verdict_/);
    expect(done.text).toContain(attemptId);
    expect((await app.lifecycle.evidence.verdictsOf(ticket.id)).length).toBeGreaterThan(0);
    expect((await app.lifecycle.findTicket(key))?.state).not.toBe("done");
    expect(app.gh.world.issueOf(s.repository, issue).state).toBe("open");
  });

  it("/mc done attempt=1 names the attempt by its number, as the board and the issue show it", async () => {
    const s = world();
    const sha = s.commit();
    const { key, attemptId } = await s.verifyingTicket(sha);
    const { ticket, issue } = await onIssue(s.repository, key);
    await app.settle(); // the stand-in's check runs reach the app's verifier first
    const before = (await app.lifecycle.evidence.verdictsOf(ticket.id)).length;
    const missing = await command(s.repository, issue, "bob", `/mc done sha=${sha} attempt=9`);
    expect(missing.outcome).toBe("no_such_attempt");
    expect(missing.text).toContain(`${key} has no attempt 9 (its attempts: 1)`);
    expect(await app.lifecycle.evidence.verdictsOf(ticket.id)).toHaveLength(before);

    const done = await command(s.repository, issue, "bob", `/mc done sha=${sha} attempt=1`);
    expect(done.outcome).toMatch(/^verdict_/);
    expect(done.text).toContain(attemptId);
    // The verdict is of that attempt (one verdict per attempt and commit, verified again).
    const verdicts = await app.lifecycle.evidence.verdictsOf(ticket.id);
    expect(verdicts.length).toBeGreaterThan(0);
    expect(verdicts.map((verdict) => verdict.attemptId)).toContain(attemptId);
  });

  it("/MC Cancel because duplicate: any case, and the words after cancel are the reason in the event", async () => {
    const s = world();
    const { ticket, issue } = await onIssue(s.repository, (await s.verifyingTicket(s.commit())).key);
    const status = await command(s.repository, issue, "bob", "/MC STATUS");
    expect(status.outcome).toBe("status");

    const cancel = await command(s.repository, issue, "bob", "/MC Cancel because duplicate of the other one");
    expect(cancel.outcome).toBe("cancelled");
    expect(cancel.text).toContain("→ cancelled (cancelled: because duplicate of the other one)");
    const history = await app.lifecycle.ticketHistory(ticket.id);
    expect(history.at(-1)).toMatchObject({
      toState: "cancelled",
      reason: "cancelled",
      actorId: "bob",
      detail: { note: "because duplicate of the other one" },
    });
  });

  it("/mc maintenance pauses the owner's dispatcher, only for maintainers of the owner's control repository", async () => {
    const s = world();
    const { issue } = await onIssue(s.repository, (await s.verifyingTicket(s.commit())).key);
    app.gh.world.repository({
      owner: "acme",
      name: "mission-control",
      files: { "README.md": "# control\n" },
    });
    app.gh.world.permission("acme/mission-control", "ola", "maintain");
    app.gh.world.permission("acme/mission-control", "bob", "write");
    app.gh.world.permission(s.repository, "ola", "write");
    const unchanged = async () => {
      expect((await app.lifecycle.tasks.setting("dispatch")).enabled).toBe(true);
      expect((await app.lifecycle.tasks.setting("dispatch:acme")).enabled).toBe(true);
    };

    // mia maintains this repository, not the control repository: refused, nothing changes.
    const notControl = await command(s.repository, issue, "mia", "/mc maintenance pause dispatch");
    expect(notControl.outcome).toBe("permission_refused");
    expect(notControl.text).toMatch(/mia has none permission on acme\/mission-control.*needs maintain/);
    await unchanged();
    const writer = await command(s.repository, issue, "bob", "/mc maintenance pause dispatch");
    expect(writer.text).toMatch(/bob has write permission on acme\/mission-control.*needs maintain/);
    await unchanged();
    // operate and orchestrate serve every owner: no comment pauses them.
    const global = await command(s.repository, issue, "ola", "/mc maintenance pause operate");
    expect(global.outcome).toBe("deployment_wide_task");
    expect((await app.lifecycle.tasks.setting("operate")).enabled).toBe(true);

    // ola maintains the control repository: acme's dispatcher is paused, no other owner's.
    const paused = await command(s.repository, issue, "ola", "/mc maintenance pause dispatch");
    expect(paused.outcome).toBe("paused");
    expect(await app.lifecycle.tasks.setting("dispatch:acme")).toMatchObject({
      enabled: false,
      changedBy: "ola",
    });
    expect((await app.lifecycle.tasks.setting("dispatch")).enabled).toBe(true);
  });
});
