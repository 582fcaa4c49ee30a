import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Route } from "../../src/github-standin/http/route.js";
import { type GitHubStandin, startGitHubStandin } from "../../src/github-standin/index.js";
import { buildRoutes } from "../../src/github-standin/routes/index.js";
import { WebhookSender } from "../../src/github-standin/webhooks/deliveries.js";
import { DEFAULT_APP_PERMISSIONS } from "../../src/github-standin/world/apps.js";
import type { Clock } from "../../src/github-standin/world/clock.js";
import { blobSha, hashSnapshot } from "../../src/github-standin/world/git-objects.js";
import { appJwt, call, type RawResponse } from "./support/client.js";
import { startWebhookReceiver } from "./support/webhook-receiver.js";
import { arrangeWidgets } from "./support/world.js";

/**
 * Conditional requests, as on GitHub: reading an unchanged resource again gives the same body and
 * ETag, so `If-None-Match` answers 304; changing the resource changes its ETag. Driven by the route
 * table: every GET operation the stand-in implements needs a case below (see "coverage").
 */

const routes = buildRoutes({
  webhooks: new WebhookSender({
    clock: { now: () => 0 },
    appId: 0,
    hookId: 0,
    target: { url: null, secret: null },
  }),
});
const getRoutes = routes.filter((route) => route.method === "GET");

let now = Date.parse("2024-05-01T12:00:00Z");
/** The stand-in's clock only moves when a test moves it, so every change is a second after the last. */
const clock: Clock = { now: () => now };
const tick = () => {
  now += 1000;
};

let gh: GitHubStandin;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let w: ReturnType<typeof arrangeWidgets>;
let token: string;

type Params = Readonly<Record<string, string | number>>;

interface Case {
  readonly operationId: string;
  /** Tells apart several cases of one operation. */
  readonly name?: string;
  /** Template parameters besides owner and repo (acme/widgets). */
  readonly params?: () => Params;
  readonly query?: () => string;
  /** Changes the resource (through the world or the API), or says why nothing can. */
  readonly change: (() => unknown) | { readonly immutable: string };
}

const R = "/repos/acme/widgets";
const installationId = () => gh.world.state.installations.values().next().value?.id ?? 0;

const cases: readonly Case[] = [
  {
    operationId: "apps/get-authenticated",
    change: { immutable: "an app's settings are fixed when the stand-in starts" },
  },
  {
    operationId: "apps/list-installations",
    // Installing the app on another account adds an installation.
    change: () => gh.world.repository({ owner: "globex", name: "gadgets" }),
  },
  {
    operationId: "apps/get-installation",
    params: () => ({ installation_id: installationId() }),
    change: { immutable: "installations keep their permissions and events" },
  },
  {
    operationId: "apps/get-repo-installation",
    change: { immutable: "installations keep their permissions and events" },
  },
  {
    operationId: "apps/list-webhook-deliveries",
    change: () =>
      gh.world.comment("acme/widgets", w.issue.number, { body: "a new delivery", author: "alice" }),
  },
  {
    operationId: "apps/get-webhook-delivery",
    params: () => ({ delivery_id: gh.webhooks.deliveries[0]?.id ?? 0 }),
    change: { immutable: "a delivery is a record of what happened" },
  },
  {
    operationId: "repos/get",
    change: () => gh.world.issue("acme/widgets", { title: "one more open issue" }),
  },
  {
    operationId: "repos/get-branch",
    params: () => ({ branch: "main" }),
    change: () =>
      gh.world.commit("acme/widgets", { branch: "main", message: "move main", files: { "x.txt": "x\n" } }),
  },
  {
    operationId: "repos/get-content",
    name: "file",
    params: () => ({ path: ".github/mission-control.yml" }),
    change: () => gh.world.files("acme/widgets", { ".github/mission-control.yml": "enabled: false\n" }),
  },
  {
    operationId: "repos/get-content",
    name: "file at a sha",
    params: () => ({ path: "src/b.ts" }),
    query: () => `ref=${w.featureCommit.sha}`,
    change: { immutable: "a commit's files never change" },
  },
  {
    operationId: "repos/get-content",
    name: "directory",
    params: () => ({ path: "src" }),
    change: () => gh.world.files("acme/widgets", { "src/d.ts": "export const d = 1;\n" }),
  },
  {
    operationId: "repos/get-collaborator-permission-level",
    params: () => ({ username: "carol" }),
    change: () => gh.world.permission("acme/widgets", "carol", "write"),
  },
  {
    operationId: "issues/list-for-repo",
    change: () => gh.world.issue("acme/widgets", { title: "listed" }),
  },
  {
    operationId: "issues/get",
    params: () => ({ issue_number: w.issue.number }),
    change: () => gh.world.labelIssue("acme/widgets", w.issue.number, ["bug"]),
  },
  {
    operationId: "issues/list-labels-for-repo",
    change: () => api("POST", `${R}/labels`, { name: "etag", color: "ededed" }),
  },
  {
    operationId: "issues/get-label",
    params: () => ({ name: "mission-control:state/todo" }),
    change: { immutable: "the stand-in has no operation that edits a label" },
  },
  {
    operationId: "issues/list-labels-on-issue",
    params: () => ({ issue_number: w.issue.number }),
    change: () => gh.world.labelIssue("acme/widgets", w.issue.number, ["triaged"]),
  },
  {
    operationId: "issues/list-comments",
    params: () => ({ issue_number: w.issue.number }),
    change: () => gh.world.comment("acme/widgets", w.issue.number, { body: "another", author: "bob" }),
  },
  {
    operationId: "issues/get-comment",
    params: () => ({ comment_id: w.comment.id }),
    change: () =>
      gh.world.editComment("acme/widgets", w.comment.id, { body: "/mc approve", author: "alice" }),
  },
  {
    operationId: "reactions/list-for-issue-comment",
    params: () => ({ comment_id: w.comment.id }),
    change: () => api("POST", `${R}/issues/comments/${w.comment.id}/reactions`, { content: "rocket" }),
  },
  {
    operationId: "repos/get-commit",
    name: "branch",
    params: () => ({ ref: "main" }),
    change: () => gh.world.commit("acme/widgets", { branch: "main", files: { "src/e.ts": "export {};\n" } }),
  },
  {
    operationId: "repos/get-commit",
    name: "sha",
    params: () => ({ ref: w.featureCommit.sha }),
    change: { immutable: "a commit never changes" },
  },
  {
    operationId: "repos/compare-commits",
    params: () => ({ basehead: "main...feature/open" }),
    change: () =>
      gh.world.commit("acme/widgets", {
        branch: "feature/open",
        files: { "src/c.ts": "export const c = 3;\n" },
      }),
  },
  {
    operationId: "repos/list-pull-requests-associated-with-commit",
    params: () => ({ commit_sha: w.openCommit.sha }),
    change: () => gh.world.closePullRequest("acme/widgets", w.open.number),
  },
  {
    operationId: "repos/get-combined-status-for-ref",
    params: () => ({ ref: w.openCommit.sha }),
    change: () =>
      gh.world.status("acme/widgets", { sha: w.openCommit.sha, state: "failure", context: "ci/e2e" }),
  },
  {
    operationId: "repos/list-commit-statuses-for-ref",
    params: () => ({ ref: w.openCommit.sha }),
    change: () =>
      gh.world.status("acme/widgets", { sha: w.openCommit.sha, state: "pending", context: "ci/docs" }),
  },
  {
    operationId: "checks/list-for-ref",
    params: () => ({ ref: w.openCommit.sha }),
    change: () =>
      gh.world.checkRun("acme/widgets", { app: "ci-bot", name: "ci/e2e", headSha: w.openCommit.sha }),
  },
  {
    operationId: "checks/get",
    params: () => ({ check_run_id: w.check.id }),
    // Only its app may change a check run: CI re-concludes it, through the world.
    change: () => gh.world.completeCheckRun("acme/widgets", w.check.id, "failure"),
  },
  {
    operationId: "pulls/list",
    change: () => {
      gh.world.branch("acme/widgets", "feature/listed", "main");
      gh.world.commit("acme/widgets", {
        branch: "feature/listed",
        files: { "src/listed.ts": "export {};\n" },
      });
      return gh.world.pullRequest("acme/widgets", { head: "feature/listed", title: "Listed" });
    },
  },
  {
    operationId: "pulls/get",
    params: () => ({ pull_number: w.merged.number }),
    change: () => gh.world.comment("acme/widgets", w.merged.number, { body: "after the merge" }),
  },
  {
    operationId: "repos/list-deployments",
    change: () => gh.world.deployment("acme/widgets", { ref: "main", environment: "production" }),
  },
  {
    operationId: "repos/get-deployment",
    params: () => ({ deployment_id: w.deployment.id }),
    change: () => gh.world.deploymentStatus("acme/widgets", w.deployment.id, { state: "inactive" }),
  },
  {
    operationId: "repos/list-deployment-statuses",
    params: () => ({ deployment_id: w.deployment.id }),
    change: () => gh.world.deploymentStatus("acme/widgets", w.deployment.id, { state: "success" }),
  },
  {
    operationId: "actions/list-workflow-runs",
    params: () => ({ workflow_id: "agent.yml" }),
    change: () => gh.world.workflowRun("acme/widgets", "agent.yml"),
  },
  {
    operationId: "actions/get-workflow-run",
    params: () => ({ run_id: [...gh.world.repo("acme/widgets").workflowRuns.keys()][0] ?? 0 }),
    change: () =>
      gh.world.updateWorkflowRun(
        "acme/widgets",
        [...gh.world.repo("acme/widgets").workflowRuns.keys()][0] ?? 0,
        "in_progress",
      ),
  },
];

function routeOf(operationId: string): Route {
  const route = getRoutes.find((r) => r.operationId === operationId);
  if (!route) throw new Error(`no GET route for ${operationId}`);
  return route;
}

/** App routes (and `…/installation`) authenticate as the app, the rest with an installation token. */
const credentialOf = (route: Route) =>
  route.scope === "app" || route.credential === "app-jwt"
    ? appJwt(gh.app.privateKey ?? "", gh.app.id, Math.floor(now / 1000))
    : token;

function pathOf(c: Case): string {
  const params: Params = { owner: "acme", repo: "widgets", ...c.params?.() };
  const path = routeOf(c.operationId).template.replace(/\{([a-z_]+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${c.operationId}: no value for {${name}}`);
    // `path` and `basehead` may span segments, as on GitHub.
    return name === "path" || name === "basehead" ? String(value) : encodeURIComponent(String(value));
  });
  return c.query ? `${path}?${c.query()}` : path;
}

const api = (method: string, path: string, body?: unknown) => call(gh.url, method, path, { token, body });

async function read(c: Case, ifNoneMatch?: string): Promise<RawResponse> {
  const token = credentialOf(routeOf(c.operationId));
  return call(gh.url, "GET", pathOf(c), {
    token,
    ...(ifNoneMatch ? { headers: { "if-none-match": ifNoneMatch } } : {}),
  });
}

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  gh = await startGitHubStandin({
    clock,
    webhook: { url: receiver.url, secret: "s3cret" },
    app: { permissions: { ...DEFAULT_APP_PERMISSIONS, statuses: "write" } },
  });
  w = arrangeWidgets(gh);
  gh.world.workflowRun("acme/widgets", "agent.yml");
  token = gh.installationToken("acme/widgets");
  await gh.webhooks.settle();
});

afterAll(async () => {
  await gh?.stop();
  await receiver?.close();
});

const label = (c: Case) => `${c.operationId}${c.name ? ` (${c.name})` : ""}`;

describe("ETags of unchanged and changed resources", () => {
  it.each(cases.map((c) => [label(c), c] as const))("%s", async (_, c) => {
    tick();
    const first = await read(c);
    expect(first.status).toBe(200);
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^W\/"[0-9a-f]{40}"$/);

    // Unchanged: the same body and ETag, however often it is read, and a conditional read is a 304.
    tick();
    const second = await read(c);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get("etag")).toBe(etag);
    const conditional = await read(c, etag ?? "");
    expect({ status: conditional.status, body: conditional.body }).toEqual({ status: 304, body: undefined });
    expect(conditional.headers.get("etag")).toBe(etag);

    if (typeof c.change !== "function") return;
    tick();
    await c.change();
    await gh.webhooks.settle();
    const changed = await read(c, etag ?? "");
    expect(changed.status).toBe(200);
    expect(changed.body).not.toEqual(first.body);
    const newEtag = changed.headers.get("etag");
    expect(newEtag).not.toBe(etag);
    expect((await read(c, newEtag ?? "")).status).toBe(304);
  });
});

describe("git object ids", () => {
  it("are git's: blob and tree ids of a snapshot match `git hash-object` and `git write-tree`", () => {
    expect(blobSha("")).toBe("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    expect(hashSnapshot(new Map()).root).toBe("4b825dc642cb6eb9a060e54bf8d69288fbee4904");
    // Expected ids from git 2.39 on the same files ("src-file" sorts before the folder "src/").
    const snapshot = hashSnapshot(
      new Map([
        [".github/mission-control.yml", "enabled: true\n"],
        ["README.md", "# widgets\n"],
        ["src/a.ts", "export {};\n"],
        ["src/deep/x.md", "é\n"],
        ["src-file", "z"],
      ]),
    );
    expect(snapshot.root).toBe("7211a9a95b1b54e9c571dbe31aad524655401a9b");
    expect(Object.fromEntries(snapshot.trees)).toEqual({
      "": "7211a9a95b1b54e9c571dbe31aad524655401a9b",
      ".github": "fd0fca783a725a2e4605c1405f4f6fb6ff063284",
      src: "a8426f29ff1036573dc62caca032a75c5f307ef4",
      "src/deep": "b31e1879e8ce28ec7dfe6de3d6d4d68f60e5dced",
    });
    expect(snapshot.blobs.get("src/deep/x.md")).toBe("c6003325155f475bd7c87731607525dce73be9cf");
    expect(snapshot.blobs.get("src-file")).toBe("fa7af8bf5fdd704f73beb3adc5612682a98e1af5");
  });

  it("a file has the same sha in contents, in a commit and in a comparison, and equal snapshots share a tree", async () => {
    const content = "export const same = true;\n";
    const first = gh.world.commit("acme/widgets", { branch: "main", files: { "src/same.ts": content } });
    const file = await api("GET", `${R}/contents/src/same.ts`);
    const commit = await api("GET", `${R}/commits/${first.sha}`);
    const compare = await api("GET", `${R}/compare/${first.parents[0]}...${first.sha}`);
    const sha = (file.body as { sha: string }).sha;
    expect(sha).toBe(blobSha(content));
    const filesOf = (body: unknown) => (body as { files: { filename: string; sha: string | null }[] }).files;
    expect(filesOf(commit.body)).toEqual([expect.objectContaining({ filename: "src/same.ts", sha })]);
    expect(filesOf(compare.body)).toEqual([expect.objectContaining({ filename: "src/same.ts", sha })]);
    // The folder's listing shows its tree id.
    const src = (await api("GET", `${R}/contents/src`)).body as { name: string; sha: string; type: string }[];
    expect(src.find((entry) => entry.name === "same.ts")?.sha).toBe(sha);
    // Writing the same content on another branch makes a different commit with the same tree.
    gh.world.branch("acme/widgets", "twin", first.parents[0]);
    const twin = gh.world.commit("acme/widgets", { branch: "twin", files: { "src/same.ts": content } });
    expect(twin.sha).not.toBe(first.sha);
    expect(twin.treeSha).toBe(first.treeSha);
    const removed = gh.world.commit("acme/widgets", { branch: "twin", files: { "src/same.ts": null } });
    const removal = await api("GET", `${R}/commits/${removed.sha}`);
    expect(filesOf(removal.body)).toEqual([
      expect.objectContaining({ filename: "src/same.ts", status: "removed", sha }),
    ]);
  });
});

describe("coverage", () => {
  it("every GET operation in the route table has a case, and every case names one", () => {
    const covered = new Set(cases.map((c) => c.operationId));
    expect(getRoutes.map((r) => r.operationId).filter((id) => !covered.has(id))).toEqual([]);
    expect([...covered].filter((id) => !getRoutes.some((r) => r.operationId === id))).toEqual([]);
  });
});
