/**
 * What an agent printed, asked or gave as its reason is stored masked, so the JSON API serves it
 * masked: the last step of the hostile agent's "print secrets" attack, through the app over HTTP.
 */
import { afterEach, beforeEach, expect, it } from "vitest";
import { type AppHarness, startApp } from "../app/support/harness.js";
import { givenNeedsInput } from "../app/support/tickets.js";
import { givenTicket } from "../builders/tickets.js";
import { describeOnDriver } from "../helpers/databases.js";
import { PLANTED_TOKEN, PLANTED_URL } from "./support.js";

describeOnDriver("hostile agent: secrets through the API", (ctx) => {
  let app: AppHarness;
  beforeEach(async () => {
    app = await startApp(ctx.db());
  });
  afterEach(async () => app?.stop());

  it("the question and the log an agent left are served without its secrets", async () => {
    const ticket = await givenTicket(app.lifecycle);
    await givenNeedsInput(app.lifecycle, ticket, `may I use ${PLANTED_TOKEN}?`);
    const [attempt] = await app.lifecycle.attemptsOf(ticket.id);
    const log = {
      text: `connecting to ${PLANTED_URL}\nAuthorization: Bearer abc.def.ghi123`,
      totalBytes: 80,
      truncated: false,
    };
    expect((await app.lifecycle.recordAttemptLog({ attemptId: attempt?.id ?? "", log })).ok).toBe(true);

    const res = await fetch(`${new URL(app.webhookUrl).origin}/api/v1/tickets/${ticket.key}`);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain("[REDACTED]");
    expect(body).toContain("may I use ghp_[REDACTED]?");
    expect(body).not.toContain(PLANTED_TOKEN.slice(4));
    expect(body).not.toContain("hunter2");
    expect(body).not.toContain("abc.def.ghi123");
    const [question] = await app.lifecycle.questionsOf(ticket.id);
    expect(question?.question).toBe("may I use ghp_[REDACTED]?");
  });
});
