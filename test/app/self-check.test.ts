/**
 * The installation self-check (src/app/periodic/self-check.ts, conditions in
 * src/operator/installation.ts) against the stand-in over real HTTP, on both drivers: each problem
 * raises an operator alert naming the fix, and the alert resolves once the problem is fixed.
 */

import { afterEach, beforeEach, expect, it } from "vitest";
import { stringify } from "yaml";
import { appSelfCheck } from "../../src/app/periodic/index.js";
import { DEFAULT_CONFIG } from "../../src/config/schema.js";
import { human, manualClock } from "../builders/tickets.js";
import { describeOnDriver } from "../helpers/databases.js";
import { type AppHarness, startApp } from "./support/harness.js";

const HOUR = 3_600_000;
const config = { ...DEFAULT_CONFIG, app: { ...DEFAULT_CONFIG.app, public_url: "https://mc.example.com" } };
const AGENT = ".github/workflows/mission-control-agent.yml";

describeOnDriver("the installation self-check", (ctx) => {
  let app: AppHarness;
  let clock: ReturnType<typeof manualClock>;
  let startedAt: Date;
  beforeEach(async () => {
    clock = manualClock(new Date("2026-03-01T00:00:00Z"));
    startedAt = clock.now();
    app = await startApp(ctx.db(), { clock });
    app.gh.world.repository({
      owner: "acme",
      name: "mission-control",
      files: {
        ".github/mission-control.yml": stringify({
          dispatch: { launcher: { kind: "github-workflow" } },
          repositories: { "acme/widgets": {} },
        }),
      },
    });
    app.gh.world.repository({
      owner: "acme",
      name: "widgets",
      files: {
        ".github/mission-control.yml": stringify({ evidence: { required_checks: [{ name: "build" }] } }),
        [AGENT]: "on: workflow_dispatch\n",
      },
    });
    app.gh.world.app({ slug: "ci" });
  });
  afterEach(async () => app?.stop());

  const selfCheck = () =>
    appSelfCheck(app.runtime, { lifecycle: app.lifecycle, config, startedAt, log: () => {} })();
  const openAlerts = async () =>
    (await app.lifecycle.alerts.list({ status: "open", limit: 100 })).map((a) => [a.fingerprint, a.message]);
  const dispatchCalled = (at: Date) =>
    app.lifecycle.recordDispatchCycle({
      holder: "actions:acme/mission-control/runs/7/1",
      outcome: "completed",
      startedAt: at,
      finishedAt: at,
      counts: {},
      decisions: [],
      timings: {},
      scope: "acme",
    });
  const headOf = (repo: string) => app.gh.world.repo(repo).branches.get("main") ?? "";

  it("a sound installation raises nothing", async () => {
    app.gh.world.protectBranch("acme/widgets");
    app.gh.world.checkRun("acme/widgets", { app: "ci", name: "build", headSha: headOf("acme/widgets") });
    clock.advance(HOUR);
    await dispatchCalled(clock.now());
    expect(await selfCheck()).toBe("completed");
    expect(await openAlerts()).toEqual([]);
  });

  it("each problem raises an alert naming the fix; each resolves once fixed", async () => {
    // An older commit has the build check: it counts as having appeared (the head need not have it).
    app.gh.world.checkRun("acme/widgets", { app: "ci", name: "build", headSha: headOf("acme/widgets") });
    app.gh.world.files("acme/widgets", { "README.md": "newer\n" });
    clock.advance(HOUR);
    expect(await selfCheck()).toBe("completed");
    const first = Object.fromEntries(await openAlerts());
    expect(Object.keys(first).sort()).toEqual([
      "default_branch_unprotected:acme/widgets",
      "dispatch_workflow_silent:acme",
    ]);
    expect(first["dispatch_workflow_silent:acme"]).toMatch(
      /acme\/mission-control\/\.github\/workflows\/mission-control-dispatch\.yml has not called POST \/api\/v1\/dispatch .*no call since the app started/,
    );
    expect(first["default_branch_unprotected:acme/widgets"]).toMatch(
      /add a branch protection rule or ruleset/,
    );

    // The agent workflow goes, the evidence policy names a check no commit has.
    app.gh.world.files("acme/widgets", {
      [AGENT]: null,
      ".github/mission-control.yml": stringify({ evidence: { required_checks: [{ name: "test" }] } }),
    });
    expect(await selfCheck()).toBe("completed");
    const second = Object.fromEntries(await openAlerts());
    expect(second["agent_workflow_missing:acme/widgets"]).toMatch(
      /has no \.github\/workflows\/mission-control-agent\.yml on main: add the agent workflow/,
    );
    expect(second["required_check_never_seen:acme/widgets"]).toMatch(
      /requires check\(s\) test .*appeared on none of the latest 3 commit\(s\) of main/,
    );

    // Fixed, one by one: every alert resolves.
    app.gh.world.files("acme/widgets", {
      [AGENT]: "on: workflow_dispatch\n",
      ".github/mission-control.yml": stringify({ evidence: { required_checks: [{ name: "build" }] } }),
    });
    app.gh.world.protectBranch("acme/widgets");
    await dispatchCalled(clock.now());
    expect(await selfCheck()).toBe("completed");
    expect(await openAlerts()).toEqual([]);
    const resolved = await app.lifecycle.alerts.list({ status: "resolved", limit: 100 });
    expect(resolved.map((a) => a.condition).sort()).toEqual([
      "agent_workflow_missing",
      "default_branch_unprotected",
      "dispatch_workflow_silent",
      "required_check_never_seen",
    ]);

    // Silent again for more than twice the interval (300 s): the alert comes back.
    clock.advance(11 * 60_000);
    await selfCheck();
    expect((await openAlerts()).map(([fingerprint]) => fingerprint)).toEqual([
      "dispatch_workflow_silent:acme",
    ]);
  });

  it("paused with the operator: nothing checked, nothing recorded", async () => {
    clock.advance(HOUR);
    await app.lifecycle.tasks.setEnabled({
      task: "operate",
      enabled: false,
      actor: human,
      reason: "maintenance",
    });
    const before = app.gh.requests.entries.length;
    expect(await selfCheck()).toBe("paused");
    expect(app.gh.requests.entries.length).toBe(before);
    expect(await openAlerts()).toEqual([]);
  });
});
