import { afterEach, beforeEach, expect, it } from "vitest";
import { scenario } from "../evidence/support.js";
import { describeOnDriver } from "../helpers/databases.js";
import { type AppHarness, startApp } from "./support/harness.js";

/**
 * `/mc approve` against the evidence, end to end over HTTP (real signed `issue_comment` webhooks
 * from the stand-in): refused while the verdict is pending, naming what is not met; an override
 * needs maintain, and closes the ticket with an `evidence_overridden` event.
 */
describeOnDriver("/mc approve override over HTTP", (ctx) => {
  let app: AppHarness;
  beforeEach(async () => {
    app = await startApp(ctx.db());
    app.gh.world.app({ slug: "ci", name: "CI" });
  });
  afterEach(async () => app?.stop());

  async function command(repository: string, issue: number, author: string, body: string) {
    const comment = app.gh.world.comment(repository, issue, { author, body });
    await app.settle();
    const reply = await app.store.commandReplies.find(comment.id);
    const posted = app.gh.world
      .commentsOf(repository, issue)
      .filter((c) => c.body.includes("mission-control:reply-to") && c.body.includes(String(comment.id)));
    expect(posted, `one reply to "${body}"`).toHaveLength(1);
    return { outcome: reply?.outcome, text: posted[0]?.body ?? "" };
  }

  it("refused while pending (criteria named); override refused for write, applied for maintain with an event", async () => {
    const s = scenario(app.gh, ctx.db(), { required_checks: [{ name: "ci/test" }] });
    app.gh.world.permission(s.repository, "bob", "write");
    app.gh.world.permission(s.repository, "mia", "maintain");
    const { key } = await s.verifyingTicket(s.commit());
    await app.settle(); // the completion's verification: ci/test has not run, so the verdict is pending
    const ticket = await app.lifecycle.findTicket(key);
    if (!ticket) throw new Error("no ticket");
    const issue = app.gh.world.issue(s.repository, { title: ticket.title, author: "bob" });
    expect(
      (await app.lifecycle.issues.linkIssue({ ticketId: ticket.id, issueNumber: issue.number })).ok,
    ).toBe(true);

    const plain = await command(s.repository, issue.number, "bob", "/mc approve");
    expect(plain.outcome).toBe("evidence_not_passing");
    expect(plain.text).toMatch(/latest evidence verdict is pending, not pass; not met: \S+ \(pending/);
    expect(plain.text).toContain("/mc approve override <reason>");

    const byWriter = await command(s.repository, issue.number, "bob", "/mc approve override CI is down");
    expect(byWriter.outcome).toBe("permission_refused");
    expect(byWriter.text).toContain("/mc approve override needs maintain or higher");
    expect((await app.lifecycle.findTicket(key))?.state).toBe("verifying");

    const byMaintainer = await command(s.repository, issue.number, "mia", "/mc approve override CI is down");
    expect(byMaintainer.outcome).toBe("evidence_overridden");
    expect(byMaintainer.text).toMatch(
      /verifying → done \(evidence overridden \(verdict pending; not met: .+\): CI is down\)/,
    );
    expect((await app.lifecycle.findTicket(key))?.state).toBe("done");
    const last = (await app.lifecycle.ticketHistory(ticket.id)).at(-1);
    expect(last).toMatchObject({
      reason: "evidence_overridden",
      detail: {
        override: "CI is down",
        verdict: "pending",
        unmet: [expect.objectContaining({ status: "pending" })],
      },
    });
  });
});
