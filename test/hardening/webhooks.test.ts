/**
 * The bad-input corpus for the webhook endpoint (issue 10, docs/hardening.md): everything goes to
 * the real app over real HTTP with real signatures. For every case: the answer is a clear status,
 * the process keeps serving, and no state table changes (compared row for row before and after);
 * what is accepted but unusable is recorded with the reason it was ignored, and logged.
 */
import { randomUUID } from "node:crypto";
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replaceNulCharacters } from "../../src/app/webhook-payloads.js";
import { signWebhook } from "../../src/github-standin/index.js";
import {
  describeOnDatabase,
  type HardenedApp,
  lastPayload,
  postWebhook,
  SECRET,
  startHardenedApp,
  stateSnapshot,
} from "./support/app.js";

const repo = "acme/widgets";

describeOnDatabase("webhook corpus", (db) => {
  let app: HardenedApp;
  /** A genuine `issues.labeled` payload that WOULD create a ticket if it were accepted. */
  let labeled: Record<string, unknown>;
  let comment: Record<string, unknown>;

  beforeAll(async () => {
    app = await startHardenedApp(db());
    app.gh.world.repository({
      owner: "acme",
      name: "widgets",
      collaborators: { bob: "write", rita: "read" },
    });
    // Genuine payloads, captured from the stand-in while the app ignores them (no ticket label yet).
    const issue = app.gh.world.issue(repo, { title: "Template issue", author: "rita" });
    app.gh.world.labelIssue(repo, issue.number, ["bug"], "bob");
    app.gh.world.comment(repo, issue.number, { author: "bob", body: "hello" });
    await app.settle();
    labeled = lastPayload(app.gh, "issues", "labeled");
    (labeled.label as { name: string }).name = "mission-control";
    comment = lastPayload(app.gh, "issue_comment", "created");
  });
  afterAll(async () => app?.stop());

  const failures = async () => (await app.store.webhookFailures.recent({ since: new Date(0) })).length;

  /**
   * Sends, then checks: no state table changed, no handler failure was recorded, and the app still
   * answers. Returns the answer and what the intake recorded for the delivery id.
   */
  async function unchanged(send: () => Promise<{ status: number; id: string; body?: string }>) {
    const before = await stateSnapshot(db());
    const failed = await failures();
    const result = await send();
    expect(await stateSnapshot(db())).toEqual(before);
    expect(await failures()).toBe(failed);
    const ping = await fetch(`${app.baseUrl}/api/health`);
    expect(ping.status).toBe(200);
    return { body: "", ...result, delivery: await app.store.deliveries.find(result.id) };
  }

  it("the control case: the same payload, correctly signed, does create a ticket", async () => {
    const payload = structuredClone(labeled);
    (payload.issue as { number: number }).number = 999;
    const before = await stateSnapshot(db());
    const posted = await postWebhook(app.webhookUrl, { event: "issues", payload });
    expect(posted.status).toBe(200);
    expect(await stateSnapshot(db())).not.toEqual(before);
    expect(await app.lifecycle.issues.ticketByIssue({ repository: repo, issueNumber: 999 })).toBeDefined();
  });

  const body = () => JSON.stringify(labeled);
  const signatures: [string, () => string | null][] = [
    ["no signature", () => null],
    ["the wrong secret", () => signWebhook("not-the-secret", body())],
    ["a signature of another body", () => signWebhook(SECRET, `${body()} `)],
    ["an empty signature", () => ""],
    ["sha256= and nothing", () => "sha256="],
    ["a truncated signature", () => signWebhook(SECRET, body()).slice(0, 40)],
    ["non-hex digits", () => `sha256=${"z".repeat(64)}`],
    ["the sha1 algorithm's prefix", () => signWebhook(SECRET, body()).replace("sha256=", "sha1=")],
    ["an uppercase hex digest", () => signWebhook(SECRET, body()).toUpperCase()],
  ];
  // Probot (@octokit/webhooks) answers 400, not 401, for a missing or wrong signature.
  it(`refuses ${signatures.length} kinds of bad signature: 400, nothing recorded, nothing changed`, async () => {
    await unchanged(async () => {
      for (const [name, signature] of signatures) {
        const result = await postWebhook(app.webhookUrl, {
          event: "issues",
          body: body(),
          signature: signature(),
        });
        expect(result.status, name).toBe(400);
        expect(result.body, name).toMatch(
          /signature does not match|Required headers missing: x-hub-signature-256/,
        );
        expect(await app.store.deliveries.find(result.id), name).toBeUndefined();
      }
      return { status: 0, id: "none" };
    });
  });

  it("refuses a body changed after signing (one byte) with 400", async () => {
    const signed = signWebhook(SECRET, body());
    const tampered = body().replace("mission-control", "mission-c0ntrol");
    const result = await unchanged(() =>
      postWebhook(app.webhookUrl, { event: "issues", body: tampered, signature: signed }),
    );
    expect(result.status).toBe(400);
    expect(result.body).toMatch(/signature does not match/);
  });

  it("refuses missing headers (400), a wrong content type (415) and a body that is not JSON (400)", async () => {
    await unchanged(async () => {
      for (const header of ["x-github-event", "x-github-delivery"]) {
        const headers: Record<string, string> = {
          "content-type": "application/json",
          "x-github-event": "issues",
          "x-github-delivery": randomUUID(),
          "x-hub-signature-256": signWebhook(SECRET, body()),
        };
        delete headers[header];
        const response = await fetch(app.webhookUrl, { method: "POST", headers, body: body() });
        expect(response.status, header).toBe(400);
        expect(await response.text()).toContain(`Required headers missing: ${header}`);
      }
      const plain = await postWebhook(app.webhookUrl, {
        event: "issues",
        body: body(),
        headers: { "content-type": "text/plain" },
      });
      expect(plain.status).toBe(415);
      const notJson = await postWebhook(app.webhookUrl, { event: "issues", body: "{ this is not json" });
      expect(notJson.status).toBe(400);
      expect(notJson.body).toContain("Invalid JSON");
      return { status: 0, id: "none" };
    });
  });

  /** Sets `path` (dot-separated) in a copy of `payload` to `value` (undefined: removes it). */
  function mutate(payload: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
    const copy = structuredClone(payload);
    const keys = path.split(".");
    const last = keys.pop() ?? "";
    let target: Record<string, unknown> = copy;
    for (const key of keys) target = target[key] as Record<string, unknown>;
    if (value === undefined) delete target[last];
    else target[last] = value;
    return copy;
  }

  let nextCommentId = 90_000;
  /** A `/mc cancel` comment (a command that WOULD change state) with one field broken. */
  function brokenComment(path: string, value: unknown): Record<string, unknown> {
    const payload = structuredClone(comment);
    const body = payload.comment as { id: number; body: unknown };
    body.id = nextCommentId++;
    body.body = "/mc cancel";
    return mutate(payload, path, value);
  }

  const warnings = () =>
    app.log.records().filter((r) => r.msg === "webhook ignored: malformed payload") as { problem?: string }[];

  const malformedComments: [string, string, unknown, string][] = [
    ["no comment", "comment", undefined, "comment"],
    ["a comment body that is a number", "comment.body", 42, "comment.body"],
    ["a comment id that is SQL", "comment.id", "7; drop table tickets", "comment.id"],
    ["an issue number that is a string", "issue.number", "1", "issue.number"],
    ["a negative issue number", "issue.number", -1, "issue.number"],
    ["no repository", "repository", undefined, "repository"],
    ["a repository owner that is null", "repository.owner", null, "repository.owner"],
    ["no sender", "sender", undefined, "sender"],
    ["no installation", "installation", undefined, "installation"],
  ];
  it(`issue_comment.created (/mc cancel) in ${malformedComments.length} malformed shapes: ignored with the reason, logged, nothing changed`, async () => {
    await unchanged(async () => {
      for (const [name, path, value, reported] of malformedComments) {
        const result = await postWebhook(app.webhookUrl, {
          event: "issue_comment",
          payload: brokenComment(path, value),
        });
        expect(result.status, name).toBe(200);
        expect(await app.store.deliveries.find(result.id), name).toMatchObject({
          status: "handled",
          outcome: `ignored:malformed_payload:${reported}`,
        });
        expect(warnings().at(-1)?.problem, name).toMatch(new RegExp(`^${reported.replace(".", "\\.")}: `));
      }
      return { status: 0, id: "none" };
    });
  });

  // A command makes no GitHub request inside the webhook (the command worker does); labelling an
  // issue still checks the sender's permission there.
  it("a handler that fails (GitHub answers 502 to the labeller's permission check): 500 with a message that says only that, the error itself in the log and webhook_failures", async () => {
    app.gh.faults.add({
      method: "GET",
      route: "/repos/{owner}/{repo}/collaborators/{username}/permission",
      fault: { kind: "status", status: 502 },
      times: 1,
    });
    const payload = structuredClone(labeled);
    const failed = await failures();
    const result = await postWebhook(app.webhookUrl, { event: "issues", payload });
    expect(result.status).toBe(500);
    expect(result.body).toMatch(/could not handle this delivery; it is recorded for the operator/);
    expect(result.body).not.toMatch(/502|permission|api\.github|127\.0\.0\.1/);
    expect(await failures()).toBe(failed + 1);
    const logged = app.log
      .records()
      .find((r) => r.msg === "webhook handler failed" && r.delivery === result.id);
    expect(JSON.stringify(logged?.err)).toMatch(/502/);
  });

  it("an installation id of the wrong type fails in Probot's authentication: 500, nothing written", async () => {
    const payload = brokenComment("installation.id", { $gt: 0 });
    const result = await unchanged(() => postWebhook(app.webhookUrl, { event: "issue_comment", payload }));
    expect(result.status).toBe(500);
    expect(result.body).toMatch(/installationId/);
    expect(result.delivery).toBeUndefined();
  });

  const malformedIssues: [string, string, unknown, string][] = [
    ["no issue", "issue", undefined, "issue"],
    ["a title that is an object", "issue.title", { toString: "x" }, "issue.title"],
    ["labels that are not a list", "issue.labels", "mission-control", "issue.labels"],
    ["a label without a name", "label", { color: "red" }, "label.name"],
    ["an action that is a number", "action", 7, "action"],
    ["no sender", "sender", undefined, "sender"],
  ];
  it(`issues.labeled (the ticket label, by a writer) in ${malformedIssues.length} malformed shapes: ignored with the reason, nothing changed`, async () => {
    await unchanged(async () => {
      for (const [name, path, value, reported] of malformedIssues) {
        const result = await postWebhook(app.webhookUrl, {
          event: "issues",
          payload: mutate(labeled, path, value),
        });
        expect(result.status, name).toBe(200);
        expect((await app.store.deliveries.find(result.id))?.outcome, name).toBe(
          `ignored:malformed_payload:${reported}`,
        );
      }
      return { status: 0, id: "none" };
    });
  });

  it("evidence events without the fields they need are recorded as having no target", async () => {
    await unchanged(async () => {
      for (const [event, payload] of [
        ["status", {}],
        ["check_run", { check_run: { head_sha: 5, name: "ci" }, repository: { full_name: repo } }],
        ["check_suite", { check_suite: { head_sha: ["a"] }, repository: { full_name: 5 } }],
        ["deployment_status", { deployment: null, repository: { full_name: repo } }],
        ["pull_request", { action: "opened", pull_request: { head: {} }, repository: { full_name: repo } }],
      ] as const) {
        const result = await postWebhook(app.webhookUrl, { event, payload });
        expect(result.status, event).toBe(200);
        expect((await app.store.deliveries.find(result.id))?.outcome, event).toBe("evidence:no_target");
      }
      return { status: 0, id: "none" };
    });
  });

  it("JSON that is not an object is refused with 400 and the reason, before Probot reads it", async () => {
    await unchanged(async () => {
      for (const body of ["null", "[]", '"labeled"', "42", "  true", '[{"action":"labeled"}]']) {
        const result = await postWebhook(app.webhookUrl, { event: "issues", body });
        expect(result.status, body).toBe(400);
        expect(result.body).toContain("a webhook payload must be a JSON object");
        expect(await app.store.deliveries.find(result.id)).toBeUndefined();
      }
      return { status: 0, id: "none" };
    });
    expect(app.log.records().filter((r) => r.reason === "not_an_object").length).toBeGreaterThanOrEqual(6);
  });

  it("JSON nested 100,000 deep in a well-signed payload: ignored as malformed, the process keeps serving", async () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const body = JSON.stringify(brokenComment("comment.body", "PLACEHOLDER")).replace('"PLACEHOLDER"', deep);
    const result = await unchanged(() => postWebhook(app.webhookUrl, { event: "issue_comment", body }));
    expect(result.status).toBe(200);
    expect(result.delivery?.outcome).toBe("ignored:malformed_payload:comment.body");
  });

  it("odd but signed headers: a path-like event name and a long percent-encoded unicode delivery id, recorded once", async () => {
    // Header values are bytes; what GitHub would never send still arrives: RTL override, accents, emoji.
    const id = encodeURIComponent(`\u202e${"é".repeat(300)}-🚀`);
    const send = () =>
      postWebhook(app.webhookUrl, { event: "../../etc/passwd", payload: { action: "x" }, id });
    const first = await unchanged(send);
    expect(first.status).toBe(200);
    expect(first.delivery).toMatchObject({ deliveryId: id, outcome: "ignored:../../etc/passwd.x" });
    const again = await send();
    expect(again.status).toBe(200);
    expect(app.log.records().filter((r) => r.delivery === id && r.code === "duplicate")).toHaveLength(1);
  });

  it("a declared 30 MB body is refused with 413 before it is sent (the app reads none of it)", async () => {
    const before = await stateSnapshot(db());
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(app.webhookUrl, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": String(30 * 1024 * 1024),
          "x-github-event": "issues",
          "x-github-delivery": randomUUID(),
          "x-hub-signature-256": signWebhook(SECRET, "{}"),
        },
      });
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on("error", reject);
      // Only the first kilobyte: the answer must come without the other 30 MB.
      req.write("{".padEnd(1024, " "));
    });
    expect(status).toBe(413);
    expect(await stateSnapshot(db())).toEqual(before);
    expect(app.log.records().find((r) => r.reason === "too_large")).toMatchObject({
      bytes: 30 * 1024 * 1024,
      limit: 25 * 1024 * 1024,
    });
  });

  it("a 30 MB body actually sent is refused with 413, and the app still answers afterwards", async () => {
    const payload = { ...labeled, padding: "x".repeat(30 * 1024 * 1024) };
    const result = await unchanged(async () => {
      const sent = await postWebhook(app.webhookUrl, { event: "issues", payload }).catch(
        (error: unknown) => ({
          status: -1,
          body: String(error),
          id: "none",
        }),
      );
      return sent;
    });
    expect(result.status, result.body).toBe(413);
    expect(result.delivery).toBeUndefined();
  });
  describe("the size limit at its boundary", () => {
    const LIMIT = 64 * 1024;
    let app: HardenedApp;
    beforeAll(async () => {
      // A second app with a small limit, on the same database.
      app = await startHardenedApp(db(), { maxWebhookBytes: LIMIT });
    });
    afterAll(async () => app?.stop());

    /** A signed payload of exactly `bytes` bytes. */
    function payloadOf(bytes: number): string {
      const shell = JSON.stringify({ action: "ping", padding: "" });
      return JSON.stringify({ action: "ping", padding: "p".repeat(bytes - shell.length) });
    }

    it("exactly the limit is accepted; one byte more is refused with 413", async () => {
      const at = await postWebhook(app.webhookUrl, { event: "ping", body: payloadOf(LIMIT) });
      expect(at.status).toBe(200);
      expect((await app.store.deliveries.find(at.id))?.outcome).toBe("ignored:ping.ping");
      const over = await postWebhook(app.webhookUrl, { event: "ping", body: payloadOf(LIMIT + 1) });
      expect(over.status).toBe(413);
      expect(over.body).toContain(`more than ${LIMIT} bytes`);
      expect(await app.store.deliveries.find(over.id)).toBeUndefined();
    });

    it("a chunked body (no Content-Length) is counted as it arrives and refused past the limit", async () => {
      const body = payloadOf(LIMIT * 4);
      const id = randomUUID();
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(app.webhookUrl, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "transfer-encoding": "chunked",
            "x-github-event": "ping",
            "x-github-delivery": id,
            "x-hub-signature-256": signWebhook(SECRET, body),
          },
        });
        req.on("response", (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        for (let i = 0; i < body.length; i += 16 * 1024) req.write(body.slice(i, i + 16 * 1024));
        req.end();
      });
      expect(status).toBe(413);
      expect(await app.store.deliveries.find(id)).toBeUndefined();
      const refused = app.log.records().find((r) => r.reason === "too_large" && r.delivery === id);
      expect(refused?.bytes).toBeGreaterThan(LIMIT);
    });
  });
});

describe("U+0000 in payloads (replaceNulCharacters)", () => {
  it("replaces it in values and keys at any depth, 100,000 levels deep without recursion", () => {
    const payload = JSON.parse(
      '{"issue":{"title":"a\\u0000b","labels":["x\\u0000",{"na\\u0000me":"y"}]},"ok":"fine"}',
    ) as Record<string, unknown>;
    expect(replaceNulCharacters(payload)).toBe(3);
    expect(payload).toEqual({
      issue: { title: "a\uFFFDb", labels: ["x\uFFFD", { "na\uFFFDme": "y" }] },
      ok: "fine",
    });
    let deep: unknown = "\u0000";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(replaceNulCharacters(deep)).toBe(1);
  });
});
