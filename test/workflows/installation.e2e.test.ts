/**
 * The installation kit, executed: the example caller files of docs/install.md and the reusable
 * workflows this project ships (`.github/workflows/{dispatch,agent}.yml`) run in the local workflow
 * runner (test/support/workflow-runner) against the app and the GitHub stand-in. A labelled issue
 * becomes a ticket; the control repository's dispatch workflow calls the app over OIDC; the target
 * repository's agent workflow runs its three jobs: prepare starts the attempt, the agent job runs
 * a scripted `claude` that commits, report pushes with the app's push token (the stand-in's CI app
 * then checks the push) and opens a draft pull request, and the app verifies the evidence against the
 * target repository's policy; a person merges, a deployment succeeds, and the app's own periodic
 * orchestrator marks the ticket done (the issue closes as done, the check run passes). A question
 * reaches the issue, `/mc answer` requeues the ticket and a second attempt completes. The agent
 * job's environment and files hold no OIDC request token, no installation or push token, no
 * database URL and no private key.
 */
import { readFileSync } from "node:fs";
import { chmod, readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { createActionsTokenVerifier } from "../../src/app/oidc/verifier.js";
import { appPeriodicTasks, PeriodicStatusBoard, runPeriodicOnce } from "../../src/app/periodic/index.js";
import { ConfigSchema, EVIDENCE_CHECK_NAME } from "../../src/config/schema.js";
import type { WorkflowRunRecord } from "../../src/github-standin/world/types.js";
import { snapshotReader } from "../../src/operator/snapshot.js";
import { mirrorUntilIdle } from "../app/support/drain.js";
import { type AppHarness, startApp } from "../app/support/harness.js";
import { MCTL, tempDir } from "../helpers/cli.js";
import { describeOnDriver } from "../helpers/databases.js";
import { type JobResult, runWorkflow } from "../support/workflow-runner/runner.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const DISPATCH_CALLER = path.join(
  ROOT,
  "examples/control-repository/.github/workflows/mission-control-dispatch.yml",
);
const AGENT_CALLER = path.join(
  ROOT,
  "examples/target-repository/.github/workflows/mission-control-agent.yml",
);
const APP_PERMISSIONS = (
  parse(readFileSync(path.join(ROOT, "app.yml"), "utf8")) as {
    default_permissions: Exclude<NonNullable<Parameters<typeof startApp>[1]>["appPermissions"], undefined>;
  }
).default_permissions;
const TARGET = "acme/widgets";
const CONTROL = "acme/mission-control";
const AGENT_SECRET = "sk-ant-agent-own-key-0123456789";

describeOnDriver("the installation kit's workflows, executed", (ctx) => {
  let app: AppHarness;
  let dir: { path: string; remove(): Promise<void> };

  beforeEach(async () => {
    dir = await tempDir("mctl-kit-");
    app = await startApp(ctx.db(), {
      // The permissions app.yml registers the App with (the setup flow sends exactly these).
      appPermissions: APP_PERMISSIONS,
      control: ({ gh, baseUrl }) => ({
        config: ConfigSchema.parse({ app: { public_url: baseUrl } }),
        tokens: createActionsTokenVerifier({ issuer: gh.oidc.issuer, audience: baseUrl }),
      }),
    });
    const { world } = app.gh;
    const config = {
      dispatch: { max_workers: 2 },
      repositories: {
        [TARGET]: {
          launcher: { kind: "github-workflow", workflow: "mission-control-agent.yml", ref: "main" },
        },
      },
    };
    // The target repository's own policy (the verifier reads it from its default branch).
    const policy = {
      ".github/mission-control.yml": stringify({
        evidence: {
          required_checks: [{ name: "build" }],
          require_merged: true,
          required_environments: ["production"],
        },
      }),
    };
    world.repository({
      owner: "acme",
      name: "mission-control",
      files: { ".github/mission-control.yml": stringify(config) },
    });
    world.workflow(CONTROL, { path: ".github/workflows/mission-control-dispatch.yml" });
    world.repository({ owner: "acme", name: "widgets", files: { "README.md": "# widgets\n", ...policy } });
    world.workflow(TARGET, { path: ".github/workflows/mission-control-agent.yml" });
    world.permission(TARGET, "bob", "write");
    await app.gh.git.create(TARGET, { "README.md": "# widgets\n", ...policy });
    world.app({ slug: "ci", name: "CI" });
    app.gh.git.ciOnPush({ app: "ci", name: "build", conclusion: "success" });
  });
  afterEach(async () => {
    await app?.stop();
    await dir?.remove();
  });

  /** The app's issue mirror, as its worker runs it. */
  const mirrorDeps = () => ({
    issues: app.lifecycle.issues,
    store: app.store,
    clock: app.lifecycle.clock,
    octokitFor: app.runtime.octokitFor,
    worker: "test-mirror",
    ticketLabel: "mission-control",
    retry: { baseMs: 1, capMs: 5 },
    leaseMs: 60_000,
    batchLimit: 50,
  });

  /** The scripted agent, installed as `claude` by the agent job's setup step. */
  async function scriptedAgent(mode: "commit" | "ask"): Promise<string> {
    const script = path.join(dir.path, "claude");
    const body =
      mode === "ask"
        ? 'echo "Which cache should the login page use?" > "$MCTL_OUTCOME_DIR/question.txt"'
        : 'echo "$MCTL_TICKET" > change.txt && git add change.txt && git commit -q -m "work on $MCTL_TICKET"';
    await writeFile(
      script,
      [
        "#!/bin/bash",
        "set -euo pipefail",
        `tr '\\0' '\\n' < /proc/$$/environ > ${JSON.stringify(path.join(dir.path, "agent-env.txt"))}`,
        `printf '%s' "$2" > ${JSON.stringify(path.join(dir.path, "agent-prompt.txt"))}`,
        body,
        "",
      ].join("\n"),
    );
    await chmod(script, 0o755);
    return script;
  }

  async function run(file: string, workflowRun: WorkflowRunRecord, repository: string, agent: string) {
    return runWorkflow(
      {
        gh: app.gh,
        reusable: { repository: "mission-control/mission-control", root: ROOT },
        packages: {
          "github:mission-control/mission-control#main": { bin: "mctl", command: [process.execPath, MCTL] },
          "@anthropic-ai/claude-code": { bin: "claude", command: [agent] },
        },
        workDir: dir.path,
        path: `${path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
      },
      {
        file,
        run: workflowRun,
        repository,
        // What docs/install.md tells a person to edit: the example app URL becomes theirs.
        edits: { "https://mission-control.example.com": app.baseUrl },
        secrets: { ANTHROPIC_API_KEY: AGENT_SECRET },
      },
    );
  }

  /** A labelled issue, its ticket, one dispatch run and the agent run it started. */
  async function dispatched(agent: string) {
    const issue = app.gh.world.issue(TARGET, {
      title: "Fix the login page",
      body: "It is slow.",
      author: "bob",
    });
    app.gh.world.labelIssue(TARGET, issue.number, ["mission-control"], "bob");
    await app.settle();
    const ticket = await app.lifecycle.issues.ticketByIssue({
      repository: TARGET,
      issueNumber: issue.number,
    });
    expect(ticket?.state).toBe("todo");
    const dispatchRun = app.gh.world.workflowRun(CONTROL, "mission-control-dispatch.yml", {
      event: "schedule",
    });
    const dispatch = await run(DISPATCH_CALLER, dispatchRun, CONTROL, agent);
    expect(dispatch.map(pick)).toEqual([{ name: "dispatch", result: "success" }]);
    expect(await readFile(dispatch[0]?.env.GITHUB_STEP_SUMMARY ?? "", "utf8")).toContain(ticket?.key ?? "?");
    const runs = [...app.gh.world.repo(TARGET).workflowRuns.values()];
    expect(runs.map((r) => (r.inputs as { ticket: string }).ticket)).toEqual([ticket?.key]);
    return { issue, ticket: ticket?.key ?? "", agentRun: runs[0] as WorkflowRunRecord };
  }

  it("dispatch calls the app; prepare → agent → report pushes and opens a draft pull request; after CI, a merge and a deployment the app's own orchestrator marks it done; the agent job holds no credential", async () => {
    const agent = await scriptedAgent("commit");
    const { issue, ticket, agentRun } = await dispatched(agent);
    const jobs = await run(AGENT_CALLER, agentRun, TARGET, agent);
    expect(jobs.map(pick), jobs.map((j) => j.log).join("\n")).toEqual([
      { name: "prepare", result: "success" },
      { name: "agent", result: "success" },
      { name: "report", result: "success" },
    ]);
    expect(await readFile(path.join(dir.path, "agent-prompt.txt"), "utf8")).toContain(ticket);

    // The push landed with the app's token: the stand-in shows the branch and its CI checked it.
    const repo = app.gh.world.repo(TARGET);
    const branch = [...repo.branches.keys()].find((b) => b !== "main") ?? "";
    const tip = repo.branches.get(branch) ?? "";
    expect(app.gh.world.checkRunsOf(TARGET, tip).map((r) => [r.name, r.conclusion])).toContainEqual([
      "build",
      "success",
    ]);
    const pulls = [...repo.issues.values()].filter((i) => "pull" in i && i.pull);
    expect(pulls).toHaveLength(1);
    expect(pulls[0]).toMatchObject({
      state: "open",
      title: expect.stringContaining(ticket),
      body: expect.stringContaining(`Refs #${issue.number}`),
    });
    expect((pulls[0] as unknown as { pull: { draft: boolean; headRef: string } }).pull).toMatchObject({
      draft: true,
      headRef: branch,
    });

    await app.settle();
    const row = await app.lifecycle.findTicket(ticket);
    expect(row?.state).toBe("verifying");
    const attempt = (agentRun.inputs as { attempt: string }).attempt;
    const rows = async () => {
      const verdict = await app.lifecycle.evidence.latestVerdictOf(attempt);
      return {
        verdict,
        criteria: Object.fromEntries(
          ((verdict?.criteria ?? []) as { id: string; status: string }[]).map((c) => [c.id, c.status]),
        ),
      };
    };
    // The target repository's policy is applied: the CI's `build` on the report job's push counts;
    // the work is not merged or deployed yet.
    const first = await rows();
    expect(first.verdict).toMatchObject({ status: "pending", repository: TARGET, sha: tip });
    expect(first.criteria).toMatchObject({
      "check:build": "pass",
      new_work: "pass",
      merged: "pending",
      "deployment:production": "pending",
    });

    // A person merges the draft pull request; the deployment of the commit succeeds.
    app.gh.world.mergePullRequest(TARGET, pulls[0]?.number ?? 0, "bob");
    const deployment = app.gh.world.deployment(TARGET, { ref: tip, environment: "production" });
    app.gh.world.deploymentStatus(TARGET, deployment.id, { state: "success" });
    await app.settle();
    const verified = await rows();
    expect(verified.criteria).toMatchObject({ merged: "pass", "deployment:production": "pass" });
    expect(verified.verdict).toMatchObject({ status: "pass", sha: tip });

    // The app's own periodic orchestrator (as npm start composes it) marks the ticket done.
    const orchestrate = appPeriodicTasks({
      lifecycle: app.lifecycle,
      snapshots: snapshotReader(ctx.db()),
      config: ConfigSchema.parse({}),
      holder: "app-replica-1",
      appOctokit: null,
      deliveries: app.store.deliveries,
      log: () => undefined,
    }).find((task) => task.name === "orchestrate");
    if (!orchestrate) throw new Error("the app has no orchestrate task");
    const pass = await runPeriodicOnce(orchestrate, {
      leases: app.lifecycle,
      holder: "app-replica-1",
      clock: app.lifecycle.clock,
      status: new PeriodicStatusBoard(),
      log: () => undefined,
    });
    expect(pass.last_outcome).toBe("completed");
    expect((await app.lifecycle.findTicket(ticket))?.state).toBe("done");

    // The issue shows it (the app's mirror), and the evidence check run on the commit passed.
    await mirrorUntilIdle(mirrorDeps());
    expect(app.gh.world.issueOf(TARGET, issue.number)).toMatchObject({ state: "closed" });
    expect(app.gh.world.labelsOf(TARGET, issue.number)).toContain("mission-control:state/done");
    const evidenceRuns = app.gh.world.checkRunsOf(TARGET, tip).filter((r) => r.name === EVIDENCE_CHECK_NAME);
    expect(evidenceRuns.map((r) => [r.status, r.conclusion])).toEqual([["completed", "success"]]);

    await expectNoCredentialIn(jobs.find((j) => j.name === "agent"));
  });

  it("an agent that asks a question: it reaches the issue, `/mc answer` requeues the ticket, and the second attempt completes", async () => {
    const asking = await scriptedAgent("ask");
    const { issue, ticket, agentRun } = await dispatched(asking);
    const jobs = await run(AGENT_CALLER, agentRun, TARGET, asking);
    expect(jobs.map(pick), jobs.map((j) => j.log).join("\n")).toEqual([
      { name: "prepare", result: "success" },
      { name: "agent", result: "success" },
      { name: "report", result: "success" },
    ]);
    await app.settle();
    expect((await app.lifecycle.findTicket(ticket))?.state).toBe("needs_input");
    expect([...app.gh.world.repo(TARGET).branches.keys()]).toEqual(["main"]);
    await expectNoCredentialIn(jobs.find((j) => j.name === "agent"));

    // The question reaches the issue (the app's mirror); a writer answers it with /mc answer.
    await mirrorUntilIdle(mirrorDeps());
    expect(
      app.gh.world
        .commentsOf(TARGET, issue.number)
        .map((c) => c.body)
        .join("\n"),
    ).toContain("Which cache should the login page use?");
    app.gh.world.comment(TARGET, issue.number, { author: "bob", body: "/mc answer Use the shared cache." });
    await app.settle();

    // The next scheduled dispatch requeues the answered ticket and starts a second attempt.
    const committing = await scriptedAgent("commit");
    const again = app.gh.world.workflowRun(CONTROL, "mission-control-dispatch.yml", { event: "schedule" });
    expect((await run(DISPATCH_CALLER, again, CONTROL, committing)).map(pick)).toEqual([
      { name: "dispatch", result: "success" },
    ]);
    const runs = [...app.gh.world.repo(TARGET).workflowRuns.values()];
    expect(runs).toHaveLength(2);
    const second = runs[1] as WorkflowRunRecord;
    const secondJobs = await run(AGENT_CALLER, second, TARGET, committing);
    expect(secondJobs.map(pick), secondJobs.map((j) => j.log).join("\n")).toEqual([
      { name: "prepare", result: "success" },
      { name: "agent", result: "success" },
      { name: "report", result: "success" },
    ]);
    // The second attempt's brief carried the answer, and its completion is being verified.
    expect(await readFile(path.join(dir.path, "agent-prompt.txt"), "utf8")).toContain(
      "Use the shared cache.",
    );
    await app.settle();
    const row = await app.lifecycle.findTicket(ticket);
    expect(row?.state).toBe("verifying");
    const attempts = await app.lifecycle.attemptsOf(row?.id ?? 0);
    expect(attempts.map((a) => a.status)).toEqual(["needs_input", "completed"]);
  });

  /** The agent's environment (as its process saw it) and every file of its job hold no credential. */
  async function expectNoCredentialIn(job: JobResult | undefined) {
    if (!job) throw new Error("no agent job ran");
    const environment = await readFile(path.join(dir.path, "agent-env.txt"), "utf8");
    expect(environment).toContain(`ANTHROPIC_API_KEY=${AGENT_SECRET}`);
    const tokens = [...app.gh.world.state.tokens.keys()];
    expect(tokens.length).toBeGreaterThan(0);
    const forbidden = [
      /ACTIONS_ID_TOKEN_REQUEST/,
      /DATABASE_URL|postgres(ql)?:\/\//,
      /PRIVATE_KEY|BEGIN [A-Z ]*PRIVATE KEY/,
      /ghs_[A-Za-z0-9]+/,
      /x-access-token|extraheader/i,
    ];
    const texts: [string, string][] = [["the agent's environment", environment]];
    for (const root of Object.values(job.dirs))
      for (const file of await filesUnder(root)) texts.push([file, await readFile(file, "latin1")]);
    expect(texts.length).toBeGreaterThan(5);
    for (const [where, text] of texts) {
      for (const pattern of forbidden)
        expect({ where, found: pattern.exec(text)?.[0] ?? null }).toEqual({ where, found: null });
      for (const token of tokens) expect(text.includes(token), where).toBe(false);
      expect(text.includes(app.privateKey.split("\n")[1] ?? "never"), where).toBe(false);
    }
  }
});

const pick = (job: JobResult) => ({ name: job.name, result: job.result });

async function filesUnder(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const full = path.join(root, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(full)));
    else if (entry.isFile() && (await stat(full)).size < 5_000_000) out.push(full);
  }
  return out;
}
