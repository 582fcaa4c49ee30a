import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GitHubStandin, startGitHubStandin } from "../../src/github-standin/index.js";
import { buildRoutes } from "../../src/github-standin/routes/index.js";
import { WebhookSender } from "../../src/github-standin/webhooks/deliveries.js";
import { DEFAULT_APP_PERMISSIONS } from "../../src/github-standin/world/apps.js";
import { systemClock } from "../../src/github-standin/world/clock.js";
import { appJwt, call, type RawResponse } from "./support/client.js";
import { OpenApiContract } from "./support/openapi-contract.js";
import { arrangeWidgets } from "./support/world.js";

/**
 * The contract suite: every operation the stand-in implements answers a success and at least one
 * error, and each answer must be a documented status whose body validates against that
 * operation's response schema in GitHub's OpenAPI description. A drift fails here.
 */

const contract = new OpenApiContract();
let gh: GitHubStandin;
let receiver: { url: string; close: () => Promise<void> };
let token: string;
let jwt: string;
let world: ReturnType<typeof arrangeWidgets>;
const R = "/repos/acme/widgets";

async function expectContract(
  operationId: string,
  response: RawResponse,
  status: number,
): Promise<RawResponse> {
  expect({ operationId, status: response.status }).toEqual({ operationId, status });
  expect(contract.check(operationId, response.status, response.body)).toEqual([]);
  return response;
}

const api = (
  method: string,
  path: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
) => call(gh.url, method, path, { token, ...options });

beforeAll(async () => {
  const { createServer } = await import("node:http");
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(req.headers["x-github-event"] === "ping" ? 500 : 204).end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  receiver = {
    url: `http://127.0.0.1:${port}/webhooks`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  gh = await startGitHubStandin({
    webhook: { url: receiver.url, secret: "s3cret" },
    app: { permissions: { ...DEFAULT_APP_PERMISSIONS, statuses: "write", pull_requests: "write" } },
  });
  world = arrangeWidgets(gh);
  token = gh.installationToken("acme/widgets");
  jwt = appJwt(gh.app.privateKey ?? "", gh.app.id);
});

afterAll(async () => {
  await gh?.stop();
  await receiver?.close();
});

describe("app authentication", () => {
  it("GET /app", async () => {
    await expectContract("apps/get-authenticated", await api("GET", "/app", { token: jwt }), 200);
    await expectContract("apps/get-authenticated", await api("GET", "/app", { token: "ghs_unknown" }), 401);
    // An installation token is not the app's JWT.
    await expectContract("apps/get-authenticated", await api("GET", "/app"), 401);
  });

  it("GET /app/installations and /app/installations/{id}", async () => {
    const list = await expectContract(
      "apps/list-installations",
      await api("GET", "/app/installations", { token: jwt }),
      200,
    );
    const id = (list.body as { id: number }[])[0]?.id;
    expect(id).toBeTypeOf("number");
    await expectContract("apps/list-installations", await api("GET", "/app/installations"), 401);
    await expectContract(
      "apps/get-installation",
      await api("GET", `/app/installations/${id}`, { token: jwt }),
      200,
    );
    await expectContract(
      "apps/get-installation",
      await api("GET", "/app/installations/999999", { token: jwt }),
      404,
    );
  });

  it("POST /app/installations/{id}/access_tokens", async () => {
    const installation = await api("GET", `${R}/installation`, { token: jwt });
    const id = (installation.body as { id: number }).id;
    const created = await expectContract(
      "apps/create-installation-access-token",
      await api("POST", `/app/installations/${id}/access_tokens`, {
        token: jwt,
        body: { repositories: ["widgets"], permissions: { issues: "read" } },
      }),
      201,
    );
    const narrowed = (created.body as { token: string }).token;
    // The narrowed token reads issues but may not write them.
    expect((await api("GET", `${R}/issues`, { token: narrowed })).status).toBe(200);
    await expectContract(
      "issues/create",
      await api("POST", `${R}/issues`, { token: narrowed, body: { title: "x" } }),
      403,
    );
    await expectContract(
      "apps/create-installation-access-token",
      await api("POST", `/app/installations/${id}/access_tokens`, {
        token: jwt,
        body: { permissions: { administration: "write" } },
      }),
      422,
    );
    await expectContract(
      "apps/create-installation-access-token",
      await api("POST", "/app/installations/424242/access_tokens", { token: jwt }),
      404,
    );
    await expectContract(
      "apps/create-installation-access-token",
      await api("POST", `/app/installations/${id}/access_tokens`, { token }),
      401,
    );
  });

  it("GET /repos/{owner}/{repo}/installation", async () => {
    await expectContract(
      "apps/get-repo-installation",
      await api("GET", `${R}/installation`, { token: jwt }),
      200,
    );
    await expectContract(
      "apps/get-repo-installation",
      await api("GET", "/repos/acme/missing/installation", { token: jwt }),
      404,
    );
    await expectContract("apps/get-repo-installation", await api("GET", `${R}/installation`, { token }), 401);
  });

  it("webhook deliveries: list, get, redeliver", async () => {
    await gh.webhooks.settle();
    const list = await expectContract(
      "apps/list-webhook-deliveries",
      await api("GET", "/app/hook/deliveries?per_page=2", { token: jwt }),
      200,
    );
    expect(list.headers.get("link")).toMatch(/rel="next"/);
    const first = (list.body as { id: number }[])[0];
    await expectContract(
      "apps/list-webhook-deliveries",
      await api("GET", "/app/hook/deliveries?status=sideways", { token: jwt }),
      422,
    );
    await expectContract(
      "apps/get-webhook-delivery",
      await api("GET", `/app/hook/deliveries/${first?.id}`, { token: jwt }),
      200,
    );
    await expectContract(
      "apps/get-webhook-delivery",
      await api("GET", "/app/hook/deliveries/987654", { token: jwt }),
      404,
    );
    await expectContract(
      "apps/redeliver-webhook-delivery",
      await api("POST", `/app/hook/deliveries/${first?.id}/attempts`, { token: jwt }),
      202,
    );
    await expectContract(
      "apps/redeliver-webhook-delivery",
      await api("POST", "/app/hook/deliveries/987654/attempts", { token: jwt }),
      404,
    );
  });
});

describe("repositories", () => {
  it("GET /repos/{owner}/{repo}", async () => {
    const repo = await expectContract("repos/get", await api("GET", R), 200);
    expect((repo.body as { default_branch: string }).default_branch).toBe("main");
    await expectContract("repos/get", await api("GET", "/repos/acme/nope"), 404);
    await expectContract("repos/get", await api("GET", R, { token: "" }), 401);
  });

  it("GET /repos/{owner}/{repo}/branches/{branch}", async () => {
    const open = await expectContract("repos/get-branch", await api("GET", `${R}/branches/main`), 200);
    expect((open.body as { protected: boolean }).protected).toBe(false);
    gh.world.protectBranch("acme/widgets");
    const guarded = await expectContract("repos/get-branch", await api("GET", `${R}/branches/main`), 200);
    expect((guarded.body as { protected: boolean }).protected).toBe(true);
    gh.world.protectBranch("acme/widgets", false);
    await expectContract("repos/get-branch", await api("GET", `${R}/branches/nope`), 404);
  });

  it("GET /repos/{owner}/{repo}/contents/{path}", async () => {
    const file = await expectContract(
      "repos/get-content",
      await api("GET", `${R}/contents/.github/mission-control.yml`),
      200,
    );
    const content = Buffer.from((file.body as { content: string }).content, "base64").toString("utf8");
    expect(content).toContain("required_checks");
    await expectContract("repos/get-content", await api("GET", `${R}/contents/.github`), 200);
    await expectContract("repos/get-content", await api("GET", `${R}/contents/missing.yml`), 404);
  });

  it("GET /repos/{owner}/{repo}/collaborators/{username}/permission", async () => {
    const bob = await expectContract(
      "repos/get-collaborator-permission-level",
      await api("GET", `${R}/collaborators/bob/permission`),
      200,
    );
    expect(bob.body).toMatchObject({ permission: "write", role_name: "write" });
    const carol = await api("GET", `${R}/collaborators/carol/permission`);
    expect(carol.body).toMatchObject({ permission: "read", role_name: "triage" });
    await expectContract(
      "repos/get-collaborator-permission-level",
      await api("GET", `${R}/collaborators/nobody-at-all/permission`),
      404,
    );
  });
});

describe("issues, labels, comments, reactions", () => {
  let number = 0;
  let commentId = 0;

  it("issues: create, get, update, list", async () => {
    const created = await expectContract(
      "issues/create",
      await api("POST", `${R}/issues`, { body: { title: "New", body: "b", labels: ["bug"] } }),
      201,
    );
    number = (created.body as { number: number }).number;
    await expectContract(
      "issues/create",
      await api("POST", `${R}/issues`, { body: { body: "no title" } }),
      422,
    );
    await expectContract("issues/get", await api("GET", `${R}/issues/${number}`), 200);
    await expectContract("issues/get", await api("GET", `${R}/issues/9999`), 404);
    const closed = await expectContract(
      "issues/update",
      await api("PATCH", `${R}/issues/${number}`, { body: { state: "closed", title: "Renamed" } }),
      200,
    );
    expect(closed.body).toMatchObject({ state: "closed", title: "Renamed", state_reason: "completed" });
    await expectContract(
      "issues/update",
      await api("PATCH", `${R}/issues/${number}`, { body: { state: "sideways" } }),
      422,
    );
    await expectContract(
      "issues/update",
      await api("PATCH", `${R}/issues/9999`, { body: { state: "closed" } }),
      404,
    );
    await expectContract("issues/list-for-repo", await api("GET", `${R}/issues?state=all`), 200);
    await expectContract("issues/list-for-repo", await api("GET", `${R}/issues?state=sideways`), 422);
    // `since`: only issues updated at or after it; a time that is not ISO 8601 is refused.
    const recent = await api("GET", `${R}/issues?state=all&since=2000-01-01T00:00:00Z`);
    await expectContract("issues/list-for-repo", recent, 200);
    expect((recent.body as unknown[]).length).toBeGreaterThan(0);
    const future = await api("GET", `${R}/issues?state=all&since=2999-01-01T00:00:00Z`);
    expect(future.body).toEqual([]);
    await expectContract("issues/list-for-repo", await api("GET", `${R}/issues?since=yesterday`), 422);
  });

  it("labels: create, get, list, add, set, remove, list on issue", async () => {
    await expectContract(
      "issues/create-label",
      await api("POST", `${R}/labels`, { body: { name: "mission-control:priority/p1", color: "b60205" } }),
      201,
    );
    await expectContract(
      "issues/create-label",
      await api("POST", `${R}/labels`, { body: { name: "Mission-Control:Priority/P1" } }),
      422,
    );
    await expectContract(
      "issues/get-label",
      await api("GET", `${R}/labels/${encodeURIComponent("mission-control:priority/p1")}`),
      200,
    );
    await expectContract("issues/get-label", await api("GET", `${R}/labels/nope`), 404);
    await expectContract("issues/list-labels-for-repo", await api("GET", `${R}/labels`), 200);
    await expectContract("issues/list-labels-for-repo", await api("GET", "/repos/acme/nope/labels"), 404);
    await expectContract(
      "issues/add-labels",
      await api("POST", `${R}/issues/${number}/labels`, { body: { labels: ["a", "b"] } }),
      200,
    );
    await expectContract(
      "issues/add-labels",
      await api("POST", `${R}/issues/${number}/labels`, { body: { labels: [42] } }),
      422,
    );
    const set = await expectContract(
      "issues/set-labels",
      await api("PUT", `${R}/issues/${number}/labels`, { body: { labels: ["b", "c"] } }),
      200,
    );
    expect((set.body as { name: string }[]).map((l) => l.name)).toEqual(["b", "c"]);
    await expectContract(
      "issues/set-labels",
      await api("PUT", `${R}/issues/9999/labels`, { body: { labels: ["b"] } }),
      404,
    );
    const removed = await expectContract(
      "issues/remove-label",
      await api("DELETE", `${R}/issues/${number}/labels/b`),
      200,
    );
    expect((removed.body as { name: string }[]).map((l) => l.name)).toEqual(["c"]);
    await expectContract("issues/remove-label", await api("DELETE", `${R}/issues/${number}/labels/b`), 404);
    await expectContract(
      "issues/list-labels-on-issue",
      await api("GET", `${R}/issues/${number}/labels`),
      200,
    );
    await expectContract("issues/list-labels-on-issue", await api("GET", `${R}/issues/9999/labels`), 404);
  });

  it("comments: create, get, update, list", async () => {
    const created = await expectContract(
      "issues/create-comment",
      await api("POST", `${R}/issues/${number}/comments`, { body: { body: "hello" } }),
      201,
    );
    commentId = (created.body as { id: number }).id;
    await expectContract(
      "issues/create-comment",
      await api("POST", `${R}/issues/${number}/comments`, { body: {} }),
      422,
    );
    await expectContract(
      "issues/create-comment",
      await api("POST", `${R}/issues/9999/comments`, { body: { body: "x" } }),
      404,
    );
    await expectContract("issues/get-comment", await api("GET", `${R}/issues/comments/${commentId}`), 200);
    await expectContract("issues/get-comment", await api("GET", `${R}/issues/comments/1`), 404);
    await expectContract(
      "issues/update-comment",
      await api("PATCH", `${R}/issues/comments/${commentId}`, { body: { body: "edited" } }),
      200,
    );
    await expectContract(
      "issues/update-comment",
      await api("PATCH", `${R}/issues/comments/${commentId}`, { body: { body: 7 } }),
      422,
    );
    await expectContract("issues/list-comments", await api("GET", `${R}/issues/${number}/comments`), 200);
    await expectContract("issues/list-comments", await api("GET", `${R}/issues/9999/comments`), 404);
  });

  it("reactions on comments: create (201, then 200 for a repeat), list", async () => {
    await expectContract(
      "reactions/create-for-issue-comment",
      await api("POST", `${R}/issues/comments/${commentId}/reactions`, { body: { content: "eyes" } }),
      201,
    );
    await expectContract(
      "reactions/create-for-issue-comment",
      await api("POST", `${R}/issues/comments/${commentId}/reactions`, { body: { content: "eyes" } }),
      200,
    );
    await expectContract(
      "reactions/create-for-issue-comment",
      await api("POST", `${R}/issues/comments/${commentId}/reactions`, { body: { content: "shrug" } }),
      422,
    );
    await expectContract(
      "reactions/list-for-issue-comment",
      await api("GET", `${R}/issues/comments/${commentId}/reactions`),
      200,
    );
    await expectContract(
      "reactions/list-for-issue-comment",
      await api("GET", `${R}/issues/comments/1/reactions`),
      404,
    );
  });
});

describe("commits, statuses, pulls", () => {
  it("GET /commits/{ref}", async () => {
    const commit = await expectContract("repos/get-commit", await api("GET", `${R}/commits/main`), 200);
    expect((commit.body as { sha: string }).sha).toBe(gh.world.repo("acme/widgets").branches.get("main"));
    await expectContract(
      "repos/get-commit",
      await api("GET", `${R}/commits/${world.second.sha.slice(0, 7)}`),
      200,
    );
    await expectContract("repos/get-commit", await api("GET", `${R}/commits/deadbeef`), 404);
  });

  it("GET /compare/{base}...{head}", async () => {
    const compared = await expectContract(
      "repos/compare-commits",
      await api("GET", `${R}/compare/main...feature/open`),
      200,
    );
    expect(compared.body).toMatchObject({ status: "ahead", ahead_by: 1, behind_by: 0 });
    await expectContract("repos/compare-commits", await api("GET", `${R}/compare/main...nope`), 404);
  });

  it("GET /commits/{sha}/pulls", async () => {
    const pulls = await expectContract(
      "repos/list-pull-requests-associated-with-commit",
      await api("GET", `${R}/commits/${world.featureCommit.sha}/pulls`),
      200,
    );
    expect((pulls.body as { number: number }[]).map((p) => p.number)).toEqual([world.merged.number]);
    await expectContract(
      "repos/list-pull-requests-associated-with-commit",
      await api("GET", `${R}/commits/${"0".repeat(40)}/pulls`),
      404,
    );
  });

  it("statuses: combined, list, create", async () => {
    const combined = await expectContract(
      "repos/get-combined-status-for-ref",
      await api("GET", `${R}/commits/${world.openCommit.sha}/status`),
      200,
    );
    expect(combined.body).toMatchObject({ state: "success", total_count: 1 });
    await expectContract(
      "repos/get-combined-status-for-ref",
      await api("GET", `${R}/commits/nope/status`),
      404,
    );
    await expectContract(
      "repos/list-commit-statuses-for-ref",
      await api("GET", `${R}/commits/${world.openCommit.sha}/statuses`),
      200,
    );
    await expectContract(
      "repos/list-commit-statuses-for-ref",
      await api("GET", `${R}/commits/nope/statuses`),
      404,
    );
    const reader = gh.installationToken("acme/widgets", { statuses: "read" });
    await expectContract(
      "repos/create-commit-status",
      await api("POST", `${R}/statuses/${world.openCommit.sha}`, {
        body: { state: "pending", context: "mc" },
      }),
      201,
    );
    await expectContract(
      "repos/create-commit-status",
      await api("POST", `${R}/statuses/${world.openCommit.sha}`, {
        token: reader,
        body: { state: "pending" },
      }),
      403,
    );
    await expectContract(
      "repos/create-commit-status",
      await api("POST", `${R}/statuses/${"0".repeat(40)}`, { body: { state: "success" } }),
      422,
    );
  });

  it("pulls: get, list", async () => {
    const merged = await expectContract(
      "pulls/get",
      await api("GET", `${R}/pulls/${world.merged.number}`),
      200,
    );
    expect(merged.body).toMatchObject({ merged: true, state: "closed" });
    await expectContract("pulls/get", await api("GET", `${R}/pulls/${world.issue.number}`), 404);
    const open = await expectContract("pulls/list", await api("GET", `${R}/pulls?state=open`), 200);
    expect((open.body as { number: number }[]).map((p) => p.number)).toEqual([world.open.number]);
    await expectContract("pulls/list", await api("GET", `${R}/pulls?state=sideways`), 422);
  });

  it("pulls: create (a draft; one open pull per head; a missing branch or permission refused)", async () => {
    gh.world.branch("acme/widgets", "feature/draft", "main");
    const writer = gh.installationToken("acme/widgets", { pull_requests: "write", metadata: "read" });
    const create = (body: unknown, as = writer) => api("POST", `${R}/pulls`, { token: as, body });
    const draft = {
      title: "MC-1: a draft",
      head: "acme:feature/draft",
      base: "main",
      body: "Refs #1",
      draft: true,
    };
    const created = await expectContract("pulls/create", await create(draft), 201);
    expect(created.body).toMatchObject({ draft: true, state: "open", head: { ref: "feature/draft" } });
    await expectContract("pulls/create", await create(draft), 422);
    await expectContract("pulls/create", await create({ ...draft, head: "no-such-branch" }), 422);
    await expectContract("pulls/create", await create({ head: "feature/draft", base: "main" }), 422);
    const reader = gh.installationToken("acme/widgets", { pull_requests: "read", metadata: "read" });
    await expectContract("pulls/create", await create(draft, reader), 403);
  });
});

describe("checks", () => {
  let runId = 0;
  it("check runs: create, get, update", async () => {
    const created = await expectContract(
      "checks/create",
      await api("POST", `${R}/check-runs`, {
        body: { name: "Mission Control / evidence", head_sha: world.openCommit.sha, status: "in_progress" },
      }),
      201,
    );
    runId = (created.body as { id: number }).id;
    await expectContract(
      "checks/create",
      await api("POST", `${R}/check-runs`, {
        body: { name: "x", head_sha: world.openCommit.sha, status: "completed" },
      }),
      422,
    );
    await expectContract("checks/get", await api("GET", `${R}/check-runs/${runId}`), 200);
    await expectContract("checks/get", await api("GET", `${R}/check-runs/1`), 404);
    const done = await expectContract(
      "checks/update",
      await api("PATCH", `${R}/check-runs/${runId}`, {
        body: { conclusion: "success", output: { title: "Verified", summary: "All criteria pass" } },
      }),
      200,
    );
    expect(done.body).toMatchObject({ status: "completed", conclusion: "success" });
    // Another app's check run cannot be changed.
    await expectContract(
      "checks/update",
      await api("PATCH", `${R}/check-runs/${world.check.id}`, { body: { conclusion: "failure" } }),
      403,
    );
  });

  it("GET /commits/{ref}/check-runs", async () => {
    const list = await expectContract(
      "checks/list-for-ref",
      await api("GET", `${R}/commits/${world.openCommit.sha}/check-runs`),
      200,
    );
    expect((list.body as { total_count: number }).total_count).toBe(2);
    await expectContract("checks/list-for-ref", await api("GET", `${R}/commits/nope/check-runs`), 404);
  });
});

describe("deployments", () => {
  it("deployments: create, get, list (filters)", async () => {
    const created = await expectContract(
      "repos/create-deployment",
      await api("POST", `${R}/deployments`, {
        body: { ref: "feature/open", environment: "production", payload: { ticket: "MC-1" } },
      }),
      201,
    );
    expect((created.body as { sha: string }).sha).toBe(world.openCommit.sha);
    await expectContract(
      "repos/create-deployment",
      await api("POST", `${R}/deployments`, { body: { ref: "no-such-ref" } }),
      422,
    );
    await expectContract(
      "repos/get-deployment",
      await api("GET", `${R}/deployments/${world.deployment.id}`),
      200,
    );
    await expectContract("repos/get-deployment", await api("GET", `${R}/deployments/1`), 404);
    const staging = await expectContract(
      "repos/list-deployments",
      await api("GET", `${R}/deployments?environment=staging`),
      200,
    );
    expect((staging.body as { id: number }[]).map((d) => d.id)).toEqual([world.deployment.id]);
    const bySha = await api("GET", `${R}/deployments?sha=${world.openCommit.sha}`);
    expect((bySha.body as unknown[]).length).toBe(1);
    await expectContract("repos/list-deployments", await api("GET", "/repos/acme/nope/deployments"), 404);
  });

  it("deployment statuses: create, list", async () => {
    await expectContract(
      "repos/create-deployment-status",
      await api("POST", `${R}/deployments/${world.deployment.id}/statuses`, {
        body: { state: "in_progress", log_url: "https://deploy.example.com/2" },
      }),
      201,
    );
    await expectContract(
      "repos/create-deployment-status",
      await api("POST", `${R}/deployments/${world.deployment.id}/statuses`, { body: { state: "done" } }),
      422,
    );
    const list = await expectContract(
      "repos/list-deployment-statuses",
      await api("GET", `${R}/deployments/${world.deployment.id}/statuses`),
      200,
    );
    expect((list.body as { state: string }[]).map((s) => s.state)).toEqual(["in_progress", "success"]);
    await expectContract(
      "repos/list-deployment-statuses",
      await api("GET", `${R}/deployments/1/statuses`),
      404,
    );
  });
});

describe("actions", () => {
  it("workflow dispatch, runs list (status filter), run get", async () => {
    await expectContract(
      "actions/create-workflow-dispatch",
      await api("POST", `${R}/actions/workflows/agent.yml/dispatches`, {
        body: { ref: "main", inputs: { ticket: "MC-1" } },
      }),
      204,
    );
    const details = await expectContract(
      "actions/create-workflow-dispatch",
      await api("POST", `${R}/actions/workflows/${world.workflow.id}/dispatches`, {
        body: { ref: "main", return_run_details: true },
      }),
      200,
    );
    const runId = (details.body as { workflow_run_id: number }).workflow_run_id;
    await expectContract(
      "actions/create-workflow-dispatch",
      await api("POST", `${R}/actions/workflows/agent.yml/dispatches`, { body: { ref: "nope" } }),
      422,
    );
    await expectContract(
      "actions/create-workflow-dispatch",
      await api("POST", `${R}/actions/workflows/missing.yml/dispatches`, { body: { ref: "main" } }),
      404,
    );
    gh.world.updateWorkflowRun("acme/widgets", runId, "in_progress");
    const queued = await expectContract(
      "actions/list-workflow-runs",
      await api("GET", `${R}/actions/workflows/agent.yml/runs?status=queued`),
      200,
    );
    expect((queued.body as { total_count: number }).total_count).toBe(1);
    const running = await api("GET", `${R}/actions/workflows/agent.yml/runs?status=in_progress`);
    expect((running.body as { workflow_runs: { id: number }[] }).workflow_runs.map((r) => r.id)).toEqual([
      runId,
    ]);
    await expectContract(
      "actions/list-workflow-runs",
      await api("GET", `${R}/actions/workflows/missing.yml/runs`),
      404,
    );
    await expectContract("actions/get-workflow-run", await api("GET", `${R}/actions/runs/${runId}`), 200);
    await expectContract("actions/get-workflow-run", await api("GET", `${R}/actions/runs/1`), 404);
  });
});

describe("cross-cutting responses", () => {
  it("304 on a matching If-None-Match has no body and does not count against the rate limit", async () => {
    const first = await api("GET", `${R}/issues/${world.issue.number}`);
    const etag = first.headers.get("etag") ?? "";
    const remaining = Number(first.headers.get("x-ratelimit-remaining"));
    const again = await api("GET", `${R}/issues/${world.issue.number}`, {
      headers: { "if-none-match": etag },
    });
    expect(again.status).toBe(304);
    expect(again.body).toBeUndefined();
    expect(contract.check("issues/get", 304, again.body)).toEqual([]);
    expect(Number(again.headers.get("x-ratelimit-remaining"))).toBe(remaining);
  });

  it("an exhausted budget answers GitHub's primary rate limit 403 with remaining 0", async () => {
    const installation = (await api("GET", `${R}/installation`, { token: jwt })).body as { id: number };
    gh.rateLimit.set(`installation:${installation.id}`, { remaining: 0, resetInMs: 60_000 });
    const limited = await expectContract(
      "issues/get",
      await api("GET", `${R}/issues/${world.issue.number}`),
      403,
    );
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
    expect((limited.body as { message: string }).message).toMatch(/API rate limit exceeded/);
    gh.rateLimit.reset();
  });
});

describe("coverage", () => {
  it("every implemented operation was checked with a success and an error response", () => {
    const routes = buildRoutes({
      webhooks: new WebhookSender({
        clock: systemClock,
        appId: 0,
        hookId: 0,
        target: { url: null, secret: null },
      }),
    });
    const missing: string[] = [];
    for (const route of routes) {
      if (!contract.operation(route.operationId))
        missing.push(`${route.operationId}: not in the OpenAPI description`);
      const seen = contract.checked.filter((c) => c.operationId === route.operationId);
      if (!seen.some((c) => c.status < 300)) missing.push(`${route.operationId}: no success checked`);
      if (!seen.some((c) => c.status >= 400)) missing.push(`${route.operationId}: no error checked`);
      const described = contract.operation(route.operationId);
      if (described && described.method !== route.method)
        missing.push(`${route.operationId}: method ${route.method} ≠ ${described.method}`);
    }
    expect(missing).toEqual([]);
  });
});
