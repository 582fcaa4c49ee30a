import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Webhooks } from "@octokit/webhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GitHubStandin, startGitHubStandin } from "../../src/github-standin/index.js";
import { appJwt, call } from "./support/client.js";
import { type ReceivedWebhook, startWebhookReceiver } from "./support/webhook-receiver.js";
import { WebhookSchemas } from "./support/webhook-schemas.js";
import { arrangeWidgets } from "./support/world.js";

/**
 * Webhooks out: every world change becomes a delivery with GitHub's headers, a signature that
 * @octokit/webhooks verifies, and a payload that passes @octokit/webhooks-schemas and has the
 * top-level shape of GitHub's examples (@octokit/webhooks-examples).
 */

const SECRET = "webhook-secret";
const schemas = new WebhookSchemas();
let gh: GitHubStandin;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let failNext = false;

type Example = { name: string; examples: Record<string, unknown>[] };
const examples = JSON.parse(
  readFileSync(
    createRequire(import.meta.url).resolve("@octokit/webhooks-examples/api.github.com/index.json"),
    "utf8",
  ),
) as Example[];

const eventOf = (hook: ReceivedWebhook) => {
  const payload = JSON.parse(hook.body) as { action?: string };
  return `${hook.headers["x-github-event"]}${payload.action ? `.${payload.action}` : ""}`;
};

beforeAll(async () => {
  receiver = await startWebhookReceiver((hook) => {
    if (failNext && hook.headers["x-github-event"] === "issues") {
      failNext = false;
      return 500;
    }
    return 200;
  });
  // No delivery may time out because the machine is slow (GitHub's 10 s limit is not tested here).
  gh = await startGitHubStandin({ webhook: { url: receiver.url, secret: SECRET, timeoutMs: 300_000 } });
  const world = arrangeWidgets(gh);
  const token = gh.installationToken("acme/widgets");
  const api = (method: string, path: string, body?: unknown) =>
    call(gh.url, method, `/repos/acme/widgets${path}`, { token, body });
  // Changes by people and other apps (arranged) …
  gh.world.editComment("acme/widgets", world.comment.id, { body: "/mc approve", author: "alice" });
  gh.world.labelIssue("acme/widgets", world.issue.number, ["mission-control:priority/p1"], "alice");
  // … and by the app itself through the API (GitHub delivers those to the app too).
  await api("PATCH", `/issues/${world.issue.number}`, { title: "MC-1: renamed", state: "closed" });
  await api("PATCH", `/issues/${world.issue.number}`, { state: "open" });
  await api(
    "DELETE",
    `/issues/${world.issue.number}/labels/${encodeURIComponent("mission-control:state/todo")}`,
  );
  await api("POST", "/labels", { name: "mission-control:alert", color: "d93f0b" });
  await api("POST", "/actions/workflows/agent.yml/dispatches", { ref: "main", inputs: { ticket: "MC-1" } });
  const run = [...gh.world.repo("acme/widgets").workflowRuns.values()][0];
  if (!run) throw new Error("no workflow run");
  gh.world.updateWorkflowRun("acme/widgets", run.id, "in_progress");
  gh.world.updateWorkflowRun("acme/widgets", run.id, "completed", "success");
  // A run whose jobs start and end: workflow_job queued/in_progress/completed, the run moves with them.
  const withJobs = gh.world.workflowRun("acme/widgets", "agent.yml");
  const prepare = gh.actions.startJob(withJobs, { name: "prepare", idToken: true });
  gh.actions.endJob(prepare);
  gh.actions.startJob(withJobs, { name: "agent" });
  gh.actions.completeRun(withJobs, "failure");
  await gh.webhooks.settle();
});

afterAll(async () => {
  await gh?.stop();
  await receiver?.close();
});

describe("deliveries", () => {
  it("covers the events Mission Control listens to", () => {
    const produced = new Set(receiver.received.map(eventOf));
    for (const expected of [
      "issues.opened",
      "issues.edited",
      "issues.closed",
      "issues.reopened",
      "issues.labeled",
      "issues.unlabeled",
      "issue_comment.created",
      "issue_comment.edited",
      "label.created",
      "check_run.created",
      "check_run.completed",
      "status",
      "deployment.created",
      "deployment_status.created",
      "pull_request.opened",
      "pull_request.closed",
      "push",
      "workflow_run.requested",
      "workflow_run.in_progress",
      "workflow_run.completed",
      "workflow_job.queued",
      "workflow_job.in_progress",
      "workflow_job.completed",
    ]) {
      expect(produced, expected).toContain(expected);
    }
  });

  it("carries GitHub's headers and a signature @octokit/webhooks verifies", async () => {
    const webhooks = new Webhooks({ secret: SECRET });
    const wrong = new Webhooks({ secret: "not-the-secret" });
    for (const hook of receiver.received) {
      expect(hook.headers["content-type"]).toBe("application/json");
      expect(hook.headers["user-agent"]).toMatch(/^GitHub-Hookshot\//);
      expect(hook.headers["x-github-delivery"]).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      );
      expect(hook.headers["x-github-hook-installation-target-id"]).toBe(String(gh.app.id));
      const signature = String(hook.headers["x-hub-signature-256"]);
      expect(await webhooks.verify(hook.body, signature)).toBe(true);
      expect(await wrong.verify(hook.body, signature)).toBe(false);
    }
  });

  it("payloads pass @octokit/webhooks-schemas", () => {
    const problems = receiver.received.flatMap((hook) => {
      const payload = JSON.parse(hook.body) as { action?: string };
      return schemas.check(String(hook.headers["x-github-event"]), payload.action ?? null, payload);
    });
    expect(problems).toEqual([]);
    // The check is strict enough to notice drift: a payload missing a field or carrying an unknown one fails.
    const sample = receiver.received.find((hook) => eventOf(hook) === "issue_comment.created");
    const payload = JSON.parse(sample?.body ?? "{}") as { comment: Record<string, unknown> };
    delete payload.comment.author_association;
    payload.comment.surprise = true;
    expect(schemas.check("issue_comment", "created", payload).join("\n")).toMatch(
      /author_association[\s\S]*surprise|surprise[\s\S]*author_association/,
    );
  });

  it("payloads have the top-level keys of GitHub's examples", () => {
    const problems: string[] = [];
    for (const hook of receiver.received) {
      const payload = JSON.parse(hook.body) as Record<string, unknown>;
      const event = String(hook.headers["x-github-event"]);
      const references = (examples.find((e) => e.name === event)?.examples ?? []).filter(
        (x) => x.action === payload.action,
      );
      if (references.length === 0) continue;
      const everyExampleHas = Object.keys(references[0] ?? {}).filter(
        (key) => references.every((x) => key in x) && key !== "enterprise",
      );
      const anyExampleHas = new Set(
        references.flatMap((x) => Object.keys(x)).concat("installation", "organization"),
      );
      for (const key of everyExampleHas)
        if (!(key in payload)) problems.push(`${eventOf(hook)} lacks ${key}`);
      for (const key of Object.keys(payload))
        if (!anyExampleHas.has(key)) problems.push(`${eventOf(hook)} has unexpected ${key}`);
    }
    expect(problems).toEqual([]);
  });

  it("records every delivery with its status code and duration", async () => {
    expect(gh.webhooks.deliveries).toHaveLength(receiver.received.length);
    for (const delivery of gh.webhooks.deliveries) {
      expect(delivery).toMatchObject({ statusCode: 200, status: "OK", redelivery: false });
      expect(delivery.durationMs).toBeGreaterThanOrEqual(0);
    }
    const jwt = appJwt(gh.app.privateKey ?? "", gh.app.id);
    const listed = await call(gh.url, "GET", "/app/hook/deliveries?per_page=100", { token: jwt });
    expect((listed.body as unknown[]).length).toBe(gh.webhooks.deliveries.length);
  });
});

describe("failed deliveries and redelivery", () => {
  it("records a failing receiver's status, and redelivers with the same guid", async () => {
    failNext = true;
    gh.world.closeIssue("acme/widgets", 3, "alice");
    await gh.webhooks.settle();
    const failed = gh.webhooks.deliveries.at(-1);
    expect(failed).toMatchObject({
      event: "issues",
      action: "closed",
      statusCode: 500,
      status: "Invalid HTTP Response: 500",
    });

    const jwt = appJwt(gh.app.privateKey ?? "", gh.app.id);
    const failures = await call(gh.url, "GET", "/app/hook/deliveries?status=failure", { token: jwt });
    expect((failures.body as { id: number }[]).map((d) => d.id)).toEqual([failed?.id]);

    const attempt = await call(gh.url, "POST", `/app/hook/deliveries/${failed?.id}/attempts`, { token: jwt });
    expect(attempt.status).toBe(202);
    await gh.webhooks.settle();
    const retried = gh.webhooks.deliveries.at(-1);
    expect(retried).toMatchObject({
      guid: failed?.guid,
      redelivery: true,
      statusCode: 200,
      event: "issues",
      action: "closed",
    });
    expect(retried?.id).not.toBe(failed?.id);
    const last = receiver.received.at(-1);
    expect(last?.headers["x-github-delivery"]).toBe(failed?.guid);
    expect(last?.body).toBe(failed?.body);

    const listed = (await call(gh.url, "GET", "/app/hook/deliveries?per_page=2", { token: jwt })).body as {
      id: number;
      redelivery: boolean;
    }[];
    expect(listed.map((d) => [d.id, d.redelivery])).toEqual([
      [retried?.id, true],
      [failed?.id, false],
    ]);
  });

  it("records an unreachable receiver as a failed delivery (status code 0)", async () => {
    gh.webhooks.setTarget({ url: "http://127.0.0.1:1/unreachable", secret: SECRET });
    gh.world.comment("acme/widgets", 3, { body: "anyone?", author: "bob" });
    await gh.webhooks.settle();
    expect(gh.webhooks.deliveries.at(-1)).toMatchObject({
      event: "issue_comment",
      statusCode: 0,
      status: "failed to connect to host",
    });
    gh.webhooks.setTarget({ url: receiver.url, secret: SECRET });
  });
});
