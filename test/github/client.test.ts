import type { Octokit } from "@octokit/rest";
import { ProbotOctokit } from "probot";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { githubWorkflowLauncher } from "../../src/dispatch/launchers/github-workflow-launcher.js";
import { githubClient, probotOctokitDefaults, type RequestPolicy } from "../../src/github/client.js";
import { type GitHubStandin, startGitHubStandin } from "../../src/github-standin/index.js";

const WORKFLOW = "mission-control-agent.yml";
const DISPATCH_ROUTE = "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches";

describe("mctl's GitHub client (retry and throttling plugins), against the stand-in", () => {
  let gh: GitHubStandin;
  let name: string;
  const warnings: string[] = [];
  beforeAll(async () => {
    gh = await startGitHubStandin();
  });
  afterAll(() => gh.stop());
  beforeEach(() => {
    name = `w-${Math.random().toString(36).slice(2, 8)}`;
    gh.world.workflow(gh.world.repository({ owner: "acme", name }), {
      path: `.github/workflows/${WORKFLOW}`,
    });
    gh.faults.clear();
    warnings.length = 0;
  });
  const launch = async () => {
    const octokit = await githubClient({
      token: gh.installationToken(`acme/${name}`),
      baseUrl: gh.url,
      userAgent: "test",
      retryAfterBaseMs: 1,
      warn: (m) => warnings.push(m),
    });
    return githubWorkflowLauncher(octokit, {
      owner: "acme",
      repo: name,
      workflow: WORKFLOW,
      ref: "main",
    }).launch({
      ticket: "MC-1",
      attempt: "a",
      launchKey: "MC-1/1",
    });
  };
  const runs = () => gh.world.repo(`acme/${name}`).workflowRuns.size;

  it("a 502 is retried: the launch goes through once", async () => {
    gh.faults.add({
      method: "POST",
      route: DISPATCH_ROUTE,
      fault: { kind: "status", status: 502 },
      times: 2,
    });
    expect(await launch()).toMatchObject({ ok: true });
    expect(runs()).toBe(1);
  });

  it("GitHub's secondary rate limit is waited out, and said", async () => {
    gh.faults.add({
      method: "POST",
      route: DISPATCH_ROUTE,
      fault: { kind: "secondary-rate-limit", status: 403, retryAfterSeconds: 0 },
      times: 1,
    });
    expect(await launch()).toMatchObject({ ok: true });
    expect(runs()).toBe(1);
    expect(warnings.join("\n")).toMatch(/secondary rate limit/);
  });

  it("a 404 is not retried (it is configuration: launch_config_error)", async () => {
    gh.faults.add({
      method: "POST",
      route: DISPATCH_ROUTE,
      fault: { kind: "status", status: 404 },
      times: 1,
    });
    const result = await launch();
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining("404") });
    expect(result.ok ? undefined : result.fix).toBeDefined();
    expect(runs()).toBe(0);
  });
});

/**
 * Every Octokit Mission Control builds goes through src/github/client.ts: `githubClient` (mctl's
 * dispatcher, `mctl evidence verify`, the report job's draft pull request, sign-in) and the app's
 * ProbotOctokit under `probotOctokitDefaults` (the app's installation clients, `mctl webhooks`).
 * Each retries a 5xx and waits out GitHub's primary and secondary rate limits, against the stand-in
 * over real HTTP; a wait longer than the policy allows is handed back to the caller.
 */
describe("every Octokit Mission Control builds: retries and rate limits, against the stand-in", () => {
  let gh: GitHubStandin;
  let repo: string;
  const warnings: string[] = [];
  const policy = (onWarn: () => void = () => {}): RequestPolicy => ({
    retryAfterBaseMs: 1,
    warn: (message) => {
      warnings.push(message);
      onWarn();
    },
  });
  beforeAll(async () => {
    gh = await startGitHubStandin();
  });
  afterAll(() => gh.stop());
  beforeEach(() => {
    repo = `r-${Math.random().toString(36).slice(2, 8)}`;
    gh.world.repository({ owner: "acme", name: repo });
    gh.faults.clear();
    gh.rateLimit.reset();
    warnings.length = 0;
  });

  const builders: Record<string, (p: RequestPolicy) => Promise<{ octokit: Octokit; identity: string }>> = {
    "githubClient (a token)": async (p) => {
      const token = gh.installationToken(`acme/${repo}`);
      const installation = gh.world.state.tokens.get(token)?.installationId;
      return {
        octokit: await githubClient({ token, baseUrl: gh.url, userAgent: "test", ...p }),
        identity: `installation:${installation}`,
      };
    },
    "the app's ProbotOctokit, as an installation": async (p) => {
      const App = ProbotOctokit.defaults(probotOctokitDefaults({ baseUrl: gh.url, ...p }));
      const auth = { appId: gh.app.id, privateKey: gh.app.privateKey ?? "" };
      const app = new App({ auth }) as unknown as Octokit;
      const { data } = await app.rest.apps.getRepoInstallation({ owner: "acme", repo });
      return {
        octokit: new App({ auth: { ...auth, installationId: data.id } }) as unknown as Octokit,
        identity: `installation:${data.id}`,
      };
    },
  };
  const getRepo = (octokit: Octokit) => octokit.rest.repos.get({ owner: "acme", repo });
  const gets = () =>
    gh.requests.entries.filter((e) => e.route === "GET /repos/{owner}/{repo}" && e.path.endsWith(`/${repo}`));

  for (const [name, build] of Object.entries(builders)) {
    describe(name, () => {
      it("retries a 5xx until GitHub answers", async () => {
        const { octokit } = await build(policy());
        gh.faults.add({
          method: "GET",
          route: "/repos/{owner}/{repo}",
          fault: { kind: "status", status: 502 },
          times: 2,
        });
        expect((await getRepo(octokit)).data.name).toBe(repo);
        expect(gets().map((e) => e.status)).toEqual([502, 502, 200]);
      });

      it("waits out a secondary rate limit (429 with retry-after), and says so", async () => {
        const { octokit } = await build(policy());
        gh.faults.add({
          method: "GET",
          route: "/repos/{owner}/{repo}",
          fault: { kind: "secondary-rate-limit", status: 429, retryAfterSeconds: 1 },
          times: 1,
        });
        expect((await getRepo(octokit)).data.name).toBe(repo);
        expect(gets().map((e) => e.status)).toEqual([429, 200]);
        expect(warnings).toEqual([expect.stringMatching(/secondary rate limit on GET .*: waiting 1 s/)]);
      });

      it("waits out the primary rate limit (403, none remaining) until its reset", async () => {
        // The window passes while the client waits: the stand-in's budget is renewed on the warning.
        const { octokit, identity } = await build(policy(() => gh.rateLimit.reset()));
        gh.rateLimit.set(identity, { remaining: 0, resetInMs: 1000 });
        expect((await getRepo(octokit)).data.name).toBe(repo);
        expect(gets().map((e) => e.status)).toEqual([403, 200]);
        expect(warnings).toEqual([expect.stringMatching(/primary rate limit on GET .*: waiting \d+ s/)]);
      });

      it("does not sit out a wait longer than the policy allows: the caller gets the 403 and retries later", async () => {
        const { octokit } = await build(policy());
        gh.faults.add({
          method: "GET",
          route: "/repos/{owner}/{repo}",
          fault: { kind: "secondary-rate-limit", status: 403, retryAfterSeconds: 3600 },
          times: 1,
        });
        await expect(getRepo(octokit)).rejects.toMatchObject({ status: 403 });
        expect(gets().map((e) => e.status)).toEqual([403]);
        expect(warnings).toEqual([expect.stringMatching(/secondary rate limit on GET .*: giving up/)]);
      });
    });
  }
});
