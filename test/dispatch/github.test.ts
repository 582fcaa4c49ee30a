import { Octokit } from "@octokit/rest";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { runDispatchCycle } from "../../src/dispatch/cycle.js";
import { githubWorkflowLauncher } from "../../src/dispatch/launchers/github-workflow-launcher.js";
import { lifecycleWorkerSource, workflowRunsWorkerSource } from "../../src/dispatch/worker-sources.js";
import { type GitHubStandin, startGitHubStandin } from "../../src/github-standin/index.js";
import { EVERY_TICKET } from "../../src/lifecycle/index.js";
import { testDispatcher } from "../builders/dispatch.js";
import { givenTicket, manualClock, testLifecycle } from "../builders/tickets.js";
import { describeEachDriver } from "../helpers/databases.js";

const WORKFLOW = "mission-control-agent.yml";
const DISPATCH_ROUTE = "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches";
const RUNS_ROUTE = "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs";

describeEachDriver("dispatch in GitHub mode (against the GitHub stand-in)", ({ db }) => {
  let gh: GitHubStandin;
  let octokit: Octokit;
  const target = { owner: "acme", repo: "widgets", workflow: WORKFLOW, ref: "main" };
  beforeAll(async () => {
    gh = await startGitHubStandin();
  });
  afterAll(() => gh.stop());
  beforeEach(() => {
    const name = `widgets-${Math.random().toString(36).slice(2, 8)}`;
    Object.assign(target, { repo: name });
    const repo = gh.world.repository({ owner: "acme", name });
    gh.world.workflow(repo, { path: `.github/workflows/${WORKFLOW}` });
    gh.faults.clear();
    octokit = new Octokit({ baseUrl: gh.url, auth: gh.installationToken(`acme/${name}`) });
  });

  const githubDispatcher = (lifecycle: ReturnType<typeof testLifecycle>) =>
    testDispatcher(lifecycle, {
      launcherFor: () => githubWorkflowLauncher(octokit, target),
      sources: [lifecycleWorkerSource(lifecycle)],
      repositorySources: () => [workflowRunsWorkerSource(octokit, target)],
      settings: { maxWorkers: 3 },
    });

  it("launches by workflow_dispatch with the ticket, attempt and launch key, and counts queued and running runs", async () => {
    const lifecycle = testLifecycle(db());
    await givenTicket(lifecycle, { repository: `acme/${target.repo}`, title: "a" });
    const record = await runDispatchCycle(githubDispatcher(lifecycle));
    expect(record.decisions).toEqual([
      expect.objectContaining({ code: "claimed", ticket: "MC-1", launchKey: "MC-1/1" }),
    ]);
    const runs = [...gh.world.repo(`acme/${target.repo}`).workflowRuns.values()];
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      event: "workflow_dispatch",
      status: "queued",
      inputs: { ticket: "MC-1", attempt: expect.any(String), launch_key: "MC-1/1" },
    });
    // Runs started outside this database (another dispatcher, a person) still take slots.
    gh.world.workflowRun(`acme/${target.repo}`, WORKFLOW, { status: "in_progress" });
    gh.world.workflowRun(`acme/${target.repo}`, WORKFLOW, { status: "completed", conclusion: "success" });
    expect(await workflowRunsWorkerSource(octokit, target).count(EVERY_TICKET)).toBe(2);
    await givenTicket(lifecycle, { repository: `acme/${target.repo}`, title: "b" });
    const next = await runDispatchCycle(githubDispatcher(lifecycle));
    expect(next.counts).toMatchObject({ workers: 2, free_slots: 1 });
  });

  it("an injected 5xx on the dispatch is launch_failed and the ticket is recoverable", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    await givenTicket(lifecycle, { repository: `acme/${target.repo}` });
    gh.faults.add({
      method: "POST",
      route: DISPATCH_ROUTE,
      fault: { kind: "status", status: 502 },
      times: 1,
    });
    const failed = await runDispatchCycle(githubDispatcher(lifecycle));
    expect(failed.decisions).toEqual([
      expect.objectContaining({
        code: "launch_failed",
        ticket: "MC-1",
        error: expect.stringContaining("502"),
      }),
    ]);
    expect(await lifecycle.findTicket("MC-1")).toMatchObject({ state: "todo", currentAttemptId: null });
    clock.advance(10_001);
    const retried = await runDispatchCycle(githubDispatcher(lifecycle));
    expect(retried.decisions).toEqual([expect.objectContaining({ code: "claimed", launchKey: "MC-1/2" })]);
  });

  it("a failing workflow-runs count gives its repository no claims (failing closed)", async () => {
    const lifecycle = testLifecycle(db());
    await givenTicket(lifecycle, { repository: `acme/${target.repo}` });
    gh.faults.add({ method: "GET", route: RUNS_ROUTE, fault: { kind: "status", status: 503 } });
    const record = await runDispatchCycle(githubDispatcher(lifecycle));
    expect(record.decisions[0]).toMatchObject({
      code: "worker_count_unavailable",
      repository: `acme/${target.repo}`,
      errors: [{ source: "github-workflow-runs", message: expect.any(String) }],
    });
    expect(record.decisions.some((d) => d.code === "claimed")).toBe(false);
    // The repository has no cap of its own: the database's count (none) is what it adds globally.
    expect(record.counts).toMatchObject({ free_slots: 3, workers: 0 });
  });
});
