import { randomUUID } from "node:crypto";
import examples from "@octokit/webhooks-examples/api.github.com/index.json" with { type: "json" };
import { afterEach, beforeEach, expect, it } from "vitest";
import { signWebhook } from "../../src/github-standin/webhooks/sign.js";
import { describeOnDriver } from "../helpers/databases.js";
import { type AppHarness, SECRET, startApp } from "./support/harness.js";

/**
 * Every example payload GitHub documents for the events the app handles goes through the real
 * webhook endpoint (signature and all) without an error; evidence events are queued for the
 * verifier (or have nothing to re-evaluate), everything else is recorded with the reason it was ignored.
 */
const HANDLED = [
  "issue_comment",
  "issues",
  "check_run",
  "check_suite",
  "status",
  "deployment_status",
  "push",
  "pull_request",
  "installation",
  "installation_repositories",
];
const EVIDENCE = ["check_run", "check_suite", "status", "deployment_status", "push", "pull_request"];
const cases = (examples as { name: string; examples: unknown[] }[])
  .filter((group) => HANDLED.includes(group.name))
  .flatMap((group) => group.examples.map((payload) => ({ event: group.name, payload })));

describeOnDriver("webhook examples", (ctx) => {
  let app: AppHarness;
  // PostgreSQL gives each test its own database, so each test gets its own app.
  beforeEach(async () => {
    app = await startApp(ctx.db());
  });
  afterEach(async () => app?.stop());

  async function post(event: string, payload: unknown, id = randomUUID()) {
    const body = JSON.stringify(payload);
    const response = await fetch(app.webhookUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": event,
        "x-github-delivery": id,
        "x-hub-signature-256": signWebhook(SECRET, body),
      },
      body,
    });
    return { status: response.status, id };
  }

  it(`accepts all ${cases.length} example payloads and records each with its outcome`, async () => {
    expect(cases.length).toBeGreaterThan(100);
    for (const { event, payload } of cases) {
      const { status, id } = await post(event, payload);
      expect(status, `${event} ${(payload as { action?: string }).action ?? ""}`).toBe(200);
      const recorded = await app.store.deliveries.find(id);
      expect(recorded?.status).toBe("handled");
      if (EVIDENCE.includes(event)) expect(recorded?.outcome).toMatch(/^evidence:(queued|no_target)$/);
      else expect(recorded?.outcome).toMatch(/^ignored:/);
    }
    await app.settle();
  });

  it("refuses a payload with a wrong signature and records nothing", async () => {
    const body = JSON.stringify(cases[0]?.payload);
    const id = randomUUID();
    const response = await fetch(app.webhookUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": cases[0]?.event ?? "issues",
        "x-github-delivery": id,
        "x-hub-signature-256": signWebhook("not-the-secret", body),
      },
      body,
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(await app.store.deliveries.find(id)).toBeUndefined();
  });
});
