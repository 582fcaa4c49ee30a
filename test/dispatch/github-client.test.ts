import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { githubClient } from "../../src/dispatch/github-client.js";
import { githubWorkflowLauncher } from "../../src/dispatch/launchers/github-workflow-launcher.js";
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
