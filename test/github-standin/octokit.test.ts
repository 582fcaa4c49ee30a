import { generateKeyPairSync } from "node:crypto";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";
import { ProbotOctokit } from "probot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GitHubStandin, startGitHubStandin } from "../../src/github-standin/index.js";
import { appJwt, call } from "./support/client.js";
import { arrangeWidgets } from "./support/world.js";

/**
 * Real Octokit against the stand-in, unchanged but for `baseUrl`: @octokit/rest with the retry and
 * throttling plugins, and Probot's own ProbotOctokit authenticating as the app (JWT → installation
 * token). Waits are kept to about a second (`retry-after: 1`, a small retry base).
 */

// The order Probot uses: throttling sees rate limits before retry sees errors.
const RestOctokit = Octokit.plugin(throttling, retry);
let gh: GitHubStandin;
let world: ReturnType<typeof arrangeWidgets>;
const limits = { primary: 0, secondary: [] as number[] };

function client(): InstanceType<typeof RestOctokit> {
  return new RestOctokit({
    baseUrl: gh.url,
    auth: gh.installationToken("acme/widgets"),
    retry: { retryAfterBaseValue: 20 },
    throttle: {
      onRateLimit: () => {
        limits.primary += 1;
        return false;
      },
      onSecondaryRateLimit: (retryAfter: number) => {
        limits.secondary.push(retryAfter);
        return true;
      },
    },
  });
}

beforeAll(async () => {
  gh = await startGitHubStandin({ faultSeed: 7 });
  world = arrangeWidgets(gh);
  for (let i = 0; i < 44; i += 1) gh.world.issue("acme/widgets", { title: `Issue ${i}` });
});

afterAll(async () => {
  await gh?.stop();
});

describe("@octokit/rest with retry and throttling", () => {
  it("paginates plain lists through Link headers", async () => {
    gh.requests.clear();
    const issues = await client().paginate(client().rest.issues.listForRepo, {
      owner: "acme",
      repo: "widgets",
      per_page: 10,
      state: "all",
    });
    // 44 arranged + the widgets issue + the two pull requests (GitHub lists pull requests as issues).
    expect(issues).toHaveLength(47);
    expect(new Set(issues.map((issue) => issue.number)).size).toBe(47);
    expect(gh.requests.count({ route: "GET /repos/{owner}/{repo}/issues" })).toBe(5);
  });

  it("paginates wrapped lists (total_count + items)", async () => {
    for (const name of ["a", "b", "c"])
      gh.world.checkRun("acme/widgets", { app: "ci-bot", name, headSha: world.openCommit.sha });
    const runs = await client().paginate(client().rest.checks.listForRef, {
      owner: "acme",
      repo: "widgets",
      ref: world.openCommit.sha,
      per_page: 2,
    });
    expect(runs.map((run) => run.name).sort()).toEqual(["a", "b", "c", "ci/test"]);
  });

  it("retries injected 5xx and succeeds", async () => {
    gh.requests.clear();
    gh.faults.add({
      method: "GET",
      route: "/repos/{owner}/{repo}/issues/{issue_number}",
      fault: { kind: "status", status: 502 },
      times: 2,
    });
    const { data } = await client().rest.issues.get({
      owner: "acme",
      repo: "widgets",
      issue_number: world.issue.number,
    });
    expect(data.title).toBe(world.issue.title);
    expect(
      gh.requests.filter({ route: "GET /repos/{owner}/{repo}/issues/{issue_number}" }).map((r) => r.status),
    ).toEqual([502, 502, 200]);
  });

  it("waits on retry-after for secondary rate limits (403 and 429)", async () => {
    limits.secondary.length = 0;
    gh.faults.add({
      method: "POST",
      route: "/repos/{owner}/{repo}/issues/{issue_number}/comments",
      fault: { kind: "secondary-rate-limit", status: 403, retryAfterSeconds: 1 },
      times: 1,
    });
    gh.faults.add({
      method: "GET",
      route: "/repos/{owner}/{repo}",
      fault: { kind: "secondary-rate-limit", status: 429, retryAfterSeconds: 1 },
      times: 1,
    });
    const octokit = client();
    const comment = await octokit.rest.issues.createComment({
      owner: "acme",
      repo: "widgets",
      issue_number: world.issue.number,
      body: "hi",
    });
    expect(comment.status).toBe(201);
    const repo = await octokit.rest.repos.get({ owner: "acme", repo: "widgets" });
    expect(repo.data.full_name).toBe("acme/widgets");
    expect(limits.secondary).toEqual([1, 1]);
    // The comment was created exactly once, by the retried request.
    expect(
      gh.world.commentsOf("acme/widgets", world.issue.number).filter((c) => c.body === "hi"),
    ).toHaveLength(1);
  });

  it("reports the primary rate limit to onRateLimit", async () => {
    const octokit = client();
    const installation = gh.world.state.tokens.values().next().value?.installationId;
    gh.rateLimit.set(`installation:${installation}`, { remaining: 0, resetInMs: 30_000 });
    limits.primary = 0;
    await expect(octokit.rest.repos.get({ owner: "acme", repo: "widgets" })).rejects.toMatchObject({
      status: 403,
    });
    expect(limits.primary).toBe(1);
    gh.rateLimit.reset();
  });

  it("answers conditional requests with 304 (Octokit surfaces it as a RequestError)", async () => {
    const octokit = client();
    const first = await octokit.rest.repos.get({ owner: "acme", repo: "widgets" });
    const etag = first.headers.etag ?? "";
    await expect(
      octokit.rest.repos.get({ owner: "acme", repo: "widgets", headers: { "if-none-match": etag } }),
    ).rejects.toMatchObject({ status: 304 });
  });
});

describe("ProbotOctokit as a GitHub App", () => {
  it("authenticates with a JWT, exchanges it for an installation token and uses it", async () => {
    gh.requests.clear();
    const installationId = (
      await call(gh.url, "GET", "/repos/acme/widgets/installation", {
        token: appJwt(gh.app.privateKey ?? "", gh.app.id),
      })
    ).body as { id: number };
    const octokit = new ProbotOctokit({
      baseUrl: gh.url,
      auth: { appId: gh.app.id, privateKey: gh.app.privateKey ?? "", installationId: installationId.id },
    });
    const { data: app } = await octokit.rest.apps.getAuthenticated();
    expect(app?.slug).toBe(gh.app.slug);
    const { data: issue } = await octokit.rest.issues.create({
      owner: "acme",
      repo: "widgets",
      title: "From the app",
    });
    expect(issue.user?.login).toBe(`${gh.app.slug}[bot]`);
    await octokit.rest.issues.get({ owner: "acme", repo: "widgets", issue_number: issue.number });
    expect(gh.requests.count({ route: "POST /app/installations/{installation_id}/access_tokens" })).toBe(1);
  });

  it("refuses a JWT signed with another key", async () => {
    const { privateKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    const octokit = new ProbotOctokit({ baseUrl: gh.url, auth: { appId: gh.app.id, privateKey } });
    await expect(octokit.rest.apps.getAuthenticated()).rejects.toMatchObject({ status: 401 });
  });
});
