/**
 * Webhook endpoint hygiene (issue 19): forged requests cannot fill the log. A bad signature is
 * logged once, at warn, without the body; an empty X-GitHub-Event with a good signature is a 400.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { signWebhook } from "../../src/github-standin/index.js";
import {
  describeOnDatabase,
  type HardenedApp,
  postWebhook,
  SECRET,
  startHardenedApp,
} from "./support/app.js";

describeOnDatabase("webhook log flood", (db) => {
  let app: HardenedApp;
  beforeAll(async () => {
    app = await startHardenedApp(db());
  });
  afterAll(async () => app?.stop());

  const logBytes = () => app.log.lines.reduce((sum, line) => sum + Buffer.byteLength(line), 0);

  it("20 bad-signature requests of 5 MB add less than 20 KB of log, one warn line each, no body", async () => {
    const filler = "x".repeat(5 * 1024 * 1024);
    const body = JSON.stringify({ action: "opened", filler });
    const before = logBytes();
    const linesBefore = app.log.lines.length;
    for (let i = 0; i < 20; i++) {
      const answer = await postWebhook(app.webhookUrl, {
        event: "issues",
        body,
        signature: signWebhook("not-the-secret", body),
      });
      expect(answer.status).toBe(400);
      expect(answer.body).toContain("signature does not match");
    }
    const added = logBytes() - before;
    expect(added).toBeLessThan(20 * 1024);
    const lines = app.log.records().slice(linesBefore);
    expect(lines).toHaveLength(20);
    for (const line of lines) {
      expect(line).toMatchObject({ level: 40, reason: "bad_signature", event: "issues" });
      expect(JSON.stringify(line)).not.toContain("xxxxxxxx");
    }
    // The app still answers.
    expect((await fetch(`${app.baseUrl}/api/health`)).status).toBe(200);
  });

  it("a correctly signed request with an empty X-GitHub-Event is a 400, not a 500", async () => {
    const body = JSON.stringify({ action: "opened" });
    const answer = await postWebhook(app.webhookUrl, {
      event: "",
      body,
      signature: signWebhook(SECRET, body),
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toContain("X-GitHub-Event");
  });
});
