import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, expect, it } from "vitest";
import { createActionsTokenVerifier } from "../../src/app/oidc/verifier.js";
import type { AttemptRow } from "../../src/db/schema.js";
import { type AppHarness, startApp } from "../app/support/harness.js";
import { AGENT_WORKFLOW } from "../app/support/oidc.js";
import { dispatcher, givenTicket } from "../builders/tickets.js";
import { runMctl, tempDir } from "../helpers/cli.js";
import { describeOnDriver } from "../helpers/databases.js";

const exec = promisify(execFile);
const REPO = "acme/widgets";
const git = async (cwd: string, ...args: string[]) =>
  (
    await exec("git", args, {
      cwd,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "t",
        GIT_AUTHOR_EMAIL: "t@example.com",
        GIT_COMMITTER_NAME: "t",
        GIT_COMMITTER_EMAIL: "t@example.com",
      },
    })
  ).stdout.trim();

/**
 * `mctl worker prepare` and `mctl worker report` (the built binary) against the running app, as
 * jobs of a stand-in workflow run: each job's environment requests real OIDC tokens from the
 * stand-in's issuer, which the app's verifier checks; git pushes to a real bare repository whose
 * base commit the stand-in shows under the same sha.
 */
describeOnDriver("mctl worker prepare | report", (ctx) => {
  let app: AppHarness;
  let dir: { path: string; remove(): Promise<void> };

  beforeEach(async () => {
    dir = await tempDir("mctl-remote-");
    app = await startApp(ctx.db(), {
      appPermissions: {
        actions: "write",
        checks: "write",
        contents: "write",
        issues: "write",
        metadata: "read",
        pull_requests: "write",
      },
      attemptApi: ({ gh, baseUrl }) => ({
        tokens: createActionsTokenVerifier({ issuer: gh.oidc.issuer, audience: baseUrl }),
        agentWorkflowFor: async () => AGENT_WORKFLOW,
        leaseMs: 600_000,
        backoff: { baseMs: 60_000, capMs: 60_000 },
      }),
    });
    app.gh.world.repository({ owner: "acme", name: "widgets", files: { "README.md": "# widgets\n" } });
    app.gh.world.workflow(REPO, { path: `.github/workflows/${AGENT_WORKFLOW.workflow}` });
  });
  afterEach(async () => {
    await app?.stop();
    await dir?.remove();
  });

  /** A dispatched run of the agent workflow on main, and one job of it that may request OIDC tokens. */
  function runOfAgentWorkflow() {
    const run = app.gh.world.workflowRun(REPO, AGENT_WORKFLOW.workflow, { event: "workflow_dispatch" });
    return { run, job: (name: string) => app.gh.actions.startJob(run, { name, idToken: true }).env };
  }

  async function givenLaunching(): Promise<AttemptRow> {
    const ticket = await givenTicket(app.lifecycle, { repository: REPO, title: "Make widgets blue" });
    const claim = await app.lifecycle.claim({
      ticket: ticket.key,
      expectedVersion: ticket.version,
      worker: "mission-control-agent",
      actor: dispatcher,
      leaseMs: 600_000,
      fence: null,
    });
    if (!claim.ok) throw new Error(claim.message);
    return claim.attempt;
  }

  /** origin (bare) with one commit; returns its path and the base sha. */
  async function givenOrigin(): Promise<{ origin: string; base: string }> {
    const seed = path.join(dir.path, "seed");
    const origin = path.join(dir.path, "origin.git");
    await mkdir(seed);
    await git(seed, "init", "-q", "-b", "main");
    await writeFile(path.join(seed, "README.md"), "# widgets\n");
    await git(seed, "add", ".");
    await git(seed, "commit", "-q", "-m", "base");
    await git(dir.path, "clone", "-q", "--bare", seed, origin);
    const base = await git(seed, "rev-parse", "HEAD");
    // The stand-in's main is at the same commit, so a run on main is a run on `base`.
    app.gh.world.commit(REPO, { branch: "main", sha: base, message: "base" });
    return { origin, base };
  }

  const mctl = (args: string[], jobEnv: Readonly<Record<string, string>>) =>
    runMctl(args, {
      ...jobEnv,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@example.com",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@example.com",
    });

  it("prepare starts the attempt; report pushes the agent's bundle and claims completion", async () => {
    const { origin, base } = await givenOrigin();
    const attempt = await givenLaunching();
    const agentRun = runOfAgentWorkflow();
    const prepared = path.join(dir.path, "prepared");
    const prep = await mctl(
      [
        "worker",
        "prepare",
        "--via",
        app.baseUrl,
        "--attempt",
        attempt.id,
        "--launch-key",
        attempt.launchKey,
        "--out",
        prepared,
        "--json",
      ],
      agentRun.job("prepare"),
    );
    expect(prep.stderr).toBe("");
    expect(prep.code).toBe(0);
    const out = JSON.parse(prep.stdout);
    expect(out).toMatchObject({ attempt: attempt.id, repository: REPO, base_sha: base });
    expect(await app.lifecycle.findAttempt(attempt.id)).toMatchObject({ runId: String(agentRun.run.id) });
    expect(await readFile(path.join(prepared, "brief.md"), "utf8")).toContain("Make widgets blue");
    expect((await readFile(path.join(prepared, "base_sha"), "utf8")).trim()).toBe(base);
    const branch = (await readFile(path.join(prepared, "branch"), "utf8")).trim();

    // The agent job: a checkout at the base, one commit, a bundle of it.
    const agentDir = path.join(dir.path, "agent");
    await git(dir.path, "clone", "-q", origin, agentDir);
    await writeFile(path.join(agentDir, "widget.txt"), "blue\n");
    await git(agentDir, "add", ".");
    await git(agentDir, "commit", "-q", "-m", "blue widgets");
    const head = await git(agentDir, "rev-parse", "HEAD");
    const outcome = path.join(dir.path, "outcome");
    await mkdir(outcome);
    await git(agentDir, "bundle", "create", "-q", path.join(outcome, "commits.bundle"), `${base}..HEAD`);

    // A second run's report is refused and pushes nothing.
    const reportDir = path.join(dir.path, "report");
    await git(dir.path, "clone", "-q", origin, reportDir);
    const reportArgs = [
      "worker",
      "report",
      "--via",
      app.baseUrl,
      "--attempt",
      attempt.id,
      "--outcome",
      outcome,
      "--prepared",
      prepared,
      "--repo",
      reportDir,
      "--json",
    ];
    const stranger = await mctl(reportArgs, runOfAgentWorkflow().job("report"));
    expect(stranger.code).toBe(1);
    expect(stranger.stderr).toMatch(/push-token refused \(403\) wrong_run/);
    expect(await git(origin, "branch", "--list", branch)).toBe("");

    const report = await mctl(reportArgs, agentRun.job("report"));
    expect(report.stderr).toBe("");
    expect(report.code).toBe(0);
    expect(JSON.parse(report.stdout)).toMatchObject({
      result: "completed",
      commitSha: head,
      branch,
      state: "verifying",
    });
    expect(await git(origin, "rev-parse", `refs/heads/${branch}`)).toBe(head);
    const row = await app.lifecycle.findAttempt(attempt.id);
    expect(row).toMatchObject({
      status: "completed",
      outcome: { evidence: { commitSha: head, baseSha: base } },
    });
  });

  it("report turns question.txt into needs-input, and refuses a bundle that does not descend from the base", async () => {
    const { origin } = await givenOrigin();
    const asking = await givenLaunching();
    const askingRun = runOfAgentWorkflow();
    const prepared = path.join(dir.path, "prepared");
    const prepare = (attempt: AttemptRow, out: string, env: Readonly<Record<string, string>>) =>
      mctl(
        [
          "worker",
          "prepare",
          "--via",
          app.baseUrl,
          "--attempt",
          attempt.id,
          "--launch-key",
          attempt.launchKey,
          "--out",
          out,
        ],
        env,
      );
    expect((await prepare(asking, prepared, askingRun.job("prepare"))).code).toBe(0);
    await writeFile(path.join(prepared, "question.txt"), "Which blue?\n");
    const asked = await mctl(
      ["worker", "report", "--via", app.baseUrl, "--attempt", asking.id, "--outcome", prepared],
      askingRun.job("report"),
    );
    expect(asked).toMatchObject({ code: 0 });
    expect(asked.stdout).toContain("needs input: Which blue?");

    // A bundle of unrelated history.
    const stray = await givenLaunching();
    const strayRun = runOfAgentWorkflow();
    const prepared2 = path.join(dir.path, "prepared2");
    expect((await prepare(stray, prepared2, strayRun.job("prepare"))).code).toBe(0);
    const other = path.join(dir.path, "other");
    await mkdir(other);
    await git(other, "init", "-q", "-b", "main");
    await writeFile(path.join(other, "x"), "x\n");
    await git(other, "add", ".");
    await git(other, "commit", "-q", "-m", "unrelated");
    await git(other, "bundle", "create", "-q", path.join(prepared2, "commits.bundle"), "HEAD");
    const reportDir = path.join(dir.path, "report2");
    await git(dir.path, "clone", "-q", origin, reportDir);
    const refused = await mctl(
      [
        "worker",
        "report",
        "--via",
        app.baseUrl,
        "--attempt",
        stray.id,
        "--outcome",
        prepared2,
        "--repo",
        reportDir,
      ],
      strayRun.job("report"),
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/does not descend from the base commit/);
    expect(await app.lifecycle.findAttempt(stray.id)).toMatchObject({ status: "running" });
  });
  it("report pushes only where the app's records say: an artifact that names another branch pushes nothing", async () => {
    const { origin, base } = await givenOrigin();
    const attempt = await givenLaunching();
    const agentRun = runOfAgentWorkflow();
    const prepared = path.join(dir.path, "prepared");
    const prep = await mctl(
      [
        "worker",
        "prepare",
        "--via",
        app.baseUrl,
        "--attempt",
        attempt.id,
        "--launch-key",
        attempt.launchKey,
        "--out",
        prepared,
      ],
      agentRun.job("prepare"),
    );
    expect(prep.code, prep.stderr).toBe(0);
    // The agent's job rewrites the artifact it carries: push over the default branch instead.
    const file = path.join(prepared, "attempt.json");
    const tampered = { ...JSON.parse(await readFile(file, "utf8")), branch: "main" };
    await writeFile(file, JSON.stringify(tampered));
    const agentDir = path.join(dir.path, "agent");
    await git(dir.path, "clone", "-q", origin, agentDir);
    await writeFile(path.join(agentDir, "evil.txt"), "x\n");
    await git(agentDir, "add", ".");
    await git(agentDir, "commit", "-q", "-m", "over main");
    const outcome = path.join(dir.path, "outcome");
    await mkdir(outcome);
    await git(agentDir, "bundle", "create", "-q", path.join(outcome, "commits.bundle"), `${base}..HEAD`);
    const reportDir = path.join(dir.path, "report");
    await git(dir.path, "clone", "-q", origin, reportDir);
    const report = await mctl(
      [
        "worker",
        "report",
        "--via",
        app.baseUrl,
        "--attempt",
        attempt.id,
        "--outcome",
        outcome,
        "--prepared",
        prepared,
        "--repo",
        reportDir,
      ],
      agentRun.job("report"),
    );
    expect(report.code).toBe(1);
    expect(report.stderr).toMatch(/the prepared artifact names branch main .* nothing pushed/);
    expect(await git(origin, "rev-parse", "refs/heads/main")).toBe(base);
    expect(await app.lifecycle.findAttempt(attempt.id)).toMatchObject({ status: "running" });
  });

  it("report hands git the push token as an HTTP header through its environment only", async () => {
    const { origin, base } = await givenOrigin();
    const attempt = await givenLaunching();
    const agentRun = runOfAgentWorkflow();
    const prepared = path.join(dir.path, "prepared");
    const args = ["worker", "prepare", "--via", app.baseUrl, "--attempt", attempt.id];
    expect(
      (await mctl([...args, "--launch-key", attempt.launchKey, "--out", prepared], agentRun.job("prepare")))
        .code,
    ).toBe(0);
    const agentDir = path.join(dir.path, "agent");
    await git(dir.path, "clone", "-q", origin, agentDir);
    await writeFile(path.join(agentDir, "widget.txt"), "blue\n");
    await git(agentDir, "add", ".");
    await git(agentDir, "commit", "-q", "-m", "blue widgets");
    await git(agentDir, "bundle", "create", "-q", path.join(prepared, "commits.bundle"), `${base}..HEAD`);
    // The report job's remote is an HTTP git server that records what git sends, and refuses.
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers.authorization ?? "");
      res.writeHead(403).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const reportDir = path.join(dir.path, "report");
      await git(dir.path, "clone", "-q", origin, reportDir);
      const port = (server.address() as AddressInfo).port;
      await git(reportDir, "remote", "set-url", "origin", `http://127.0.0.1:${port}/acme/widgets.git`);
      const report = await mctl(
        [
          "worker",
          "report",
          "--via",
          app.baseUrl,
          "--attempt",
          attempt.id,
          "--outcome",
          prepared,
          "--repo",
          reportDir,
        ],
        agentRun.job("report"),
      );
      expect(report.code).toBe(1);
      expect(report.stderr).toMatch(/git push failed/);
      expect(seen.length).toBeGreaterThan(0);
      const [scheme, encoded] = (seen[0] ?? "").split(" ");
      expect(scheme?.toLowerCase()).toBe("basic");
      const [user, token] = Buffer.from(encoded ?? "", "base64")
        .toString()
        .split(":");
      expect(user).toBe("x-access-token");
      // The header carries the app's installation token for this repository, and no output shows it.
      const res = await fetch(`${app.gh.url}/repos/${REPO}`, {
        headers: { authorization: `token ${token}` },
      });
      expect(res.status).toBe(200);
      expect(`${report.stdout}${report.stderr}`).not.toContain(token ?? "none");
      // Not in the checkout's configuration either.
      expect(await readFile(path.join(reportDir, ".git", "config"), "utf8")).not.toContain(token ?? "none");
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
