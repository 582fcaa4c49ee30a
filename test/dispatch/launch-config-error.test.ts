import { writeFile } from "node:fs/promises";
import path from "node:path";
import { Octokit } from "@octokit/rest";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runDispatchCycle } from "../../src/dispatch/cycle.js";
import { githubWorkflowLauncher } from "../../src/dispatch/launchers/github-workflow-launcher.js";
import { type GitHubStandin, startGitHubStandin } from "../../src/github-standin/index.js";
import { recordingLauncher, testDispatcher } from "../builders/dispatch.js";
import { givenTicket, manualClock, testLifecycle } from "../builders/tickets.js";
import { tempDir } from "../helpers/cli.js";
import { inProcessCli } from "../helpers/cli-in-process.js";
import { describeEachDriver } from "../helpers/databases.js";

const FIX = "set worker.agent_command in .github/mission-control.yml";

describeEachDriver("a launch that fails for configuration (launch_config_error)", ({ db, handle }) => {
  let gh: GitHubStandin;
  beforeAll(async () => {
    gh = await startGitHubStandin();
  });
  afterAll(() => gh.stop());

  it("spends no attempt, backs nothing off, stops the repository's claims, raises an alert that a success resolves", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    await givenTicket(lifecycle, { title: "a", repository: "acme/app" });
    await givenTicket(lifecycle, { title: "b", repository: "acme/app" });
    await givenTicket(lifecycle, { title: "c", repository: "acme/other" });
    const broken = recordingLauncher(() => ({
      ok: false,
      error: "no worker command is configured",
      fix: FIX,
    }));
    const working = recordingLauncher();
    const deps = testDispatcher(lifecycle, {
      launcherFor: (repository) => (repository === "acme/app" ? broken.launcher : working.launcher),
      settings: { maxAttempts: 3 },
    });
    // More cycles than max_attempts: a configuration mistake must not use up the ticket's budget.
    for (let cycle = 1; cycle <= 4; cycle++) {
      const record = await runDispatchCycle(deps);
      expect(record.decisions.filter((d) => d.code === "launch_config_error")).toEqual([
        {
          code: "launch_config_error",
          ticket: "MC-1",
          attempt: expect.any(String),
          launchKey: `MC-1/${cycle}`,
          repository: "acme/app",
          error: "no worker command is configured",
          fix: FIX,
        },
      ]);
      // MC-2 of the same repository was not claimed; the other repository's MC-3 was, in cycle 1.
      expect(record.decisions.filter((d) => d.code === "claimed").map((d) => d.ticket)).toEqual(
        cycle === 1 ? ["MC-3"] : [],
      );
    }
    expect(broken.launched.map((l) => l.ticket)).toEqual(["MC-1", "MC-1", "MC-1", "MC-1"]);
    const ticket = await lifecycle.findTicket("MC-1");
    expect(ticket).toMatchObject({
      state: "todo",
      hold: null,
      nextEligibleAt: null,
      attemptCount: 4,
      extraAttempts: 4,
    });
    expect((await lifecycle.findTicket("MC-2"))?.attemptCount).toBe(0);
    const history = await lifecycle.ticketHistory(ticket?.id ?? 0);
    expect(history.filter((e) => e.reason === "launch_config_error")).toHaveLength(4);
    const [attempt] = await lifecycle.attemptsOf(ticket?.id ?? 0);
    expect(attempt).toMatchObject({
      status: "released",
      outcome: { reason: "launch_config_error", fix: FIX },
    });
    const alert = await lifecycle.alerts.find("launch_config_error:acme/app");
    expect(alert).toMatchObject({ status: "open", severity: "critical", seenCount: 4 });
    expect(alert?.message).toContain(FIX);

    // Fixed: the next launch there succeeds and the alert is resolved.
    const fixed = testDispatcher(lifecycle, { launcherFor: () => working.launcher });
    const record = await runDispatchCycle(fixed);
    expect(record.decisions.filter((d) => d.code === "claimed").map((d) => d.ticket)).toEqual([
      "MC-1",
      "MC-2",
    ]);
    expect(await lifecycle.alerts.find("launch_config_error:acme/app")).toMatchObject({ status: "resolved" });
  });

  it("GitHub's 404 on the dispatch (no such workflow) is a configuration error naming the workflow file", async () => {
    const lifecycle = testLifecycle(db());
    const repo = gh.world.repository({ owner: "acme", name: `w-${Math.random().toString(36).slice(2, 8)}` });
    const name = `acme/${repo.name}`;
    gh.world.workflow(repo, { path: ".github/workflows/agent.yml" });
    const octokit = new Octokit({
      baseUrl: gh.url,
      auth: gh.installationToken(name),
      request: { retries: 0 },
    });
    const request = { ticket: "MC-1", attempt: "a", launchKey: "MC-1/1" };
    const missing = await githubWorkflowLauncher(octokit, {
      owner: "acme",
      repo: repo.name,
      workflow: "missing.yml",
      ref: "main",
    }).launch(request);
    expect(missing).toMatchObject({ ok: false, error: expect.stringContaining("404") });
    expect(missing.ok ? "" : missing.fix).toContain(".github/workflows/missing.yml");
    await givenTicket(lifecycle, { title: "x", repository: name });
    const record = await runDispatchCycle(
      testDispatcher(lifecycle, {
        launcherFor: () =>
          githubWorkflowLauncher(octokit, {
            owner: "acme",
            repo: repo.name,
            workflow: "missing.yml",
            ref: "main",
          }),
      }),
    );
    expect(record.decisions.map((d) => d.code)).toEqual(["launch_config_error"]);
  });

  it("mctl dispatch with no agent command fails (exit 1) and names the fix; no attempt is spent", async () => {
    const lifecycle = testLifecycle(db());
    await givenTicket(lifecycle, { title: "x", repository: "acme/app" });
    const dir = await tempDir();
    const config = path.join(dir.path, "mission-control.yml");
    await writeFile(config, "dispatch:\n  max_attempts: 1\n");
    const mctl = inProcessCli(handle(), { MCTL_CONFIG: config });
    const run = await mctl(["dispatch", "--holder", "cli"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("launch_config_error");
    expect(run.stderr).toMatch(/^mctl: launches failed for configuration .*worker\.agent_command/);
    const json = await mctl(["dispatch", "--holder", "cli", "--json"]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      error: { code: "launch_config_error", detail: { outcome: "completed" } },
    });
    // max_attempts 1, two cycles: still not held.
    expect(await lifecycle.findTicket("MC-1")).toMatchObject({ state: "todo", hold: null });
    await dir.remove();
  });
});
