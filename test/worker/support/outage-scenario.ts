/**
 * The fault scenario of issue 20 ("keeps working through faults"): the app and two workers whose
 * agents finish while the database is cut off, through a TCP proxy in front of PostgreSQL.
 *
 * - the app (the in-process harness of test/app, on a pool through the proxy) serves the attempt
 *   API and runs its periodic orchestrate and operate tasks, with the outage alert;
 * - a local worker (`mctl worker run`, DATABASE_URL through the proxy) whose agent commits, pushes
 *   and exits while the database is down: the runner keeps the completion and retries it;
 * - a remote worker (`mctl worker report`, the agent workflow's last job) that reports a pushed
 *   bundle while the app answers 503: it retries with back-off.
 *
 * - with `loops`, `mctl dispatch --loop` and `mctl orchestrate --loop` started during the cut: each
 *   waits it out and runs its pass once the database answers.
 *
 * The cut lasts until every party has said it waits (polled, not timed), plus `holdMs` (the chaos
 * suite's 20-second variant). Then the database comes back; both completions land, the tickets are
 * `verifying` with no event a test cannot explain, and the app has recorded the outage alert
 * naming how long it lasted.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "vitest";
import { createActionsTokenVerifier } from "../../../src/app/oidc/verifier.js";
import {
  appPeriodicTasks,
  PeriodicStatusBoard,
  startPeriodicTasks,
} from "../../../src/app/periodic/index.js";
import { DEFAULT_CONFIG } from "../../../src/config/schema.js";
import { openDatabase } from "../../../src/db/connect.js";
import { snapshotReader } from "../../../src/operator/snapshot.js";
import { type AppHarness, startApp } from "../../app/support/harness.js";
import { AGENT_WORKFLOW } from "../../app/support/oidc.js";
import { dispatcher } from "../../builders/tickets.js";
import { databaseProxy } from "../../helpers/database-proxy.js";
import { until } from "../../helpers/until.js";
import type { SharedDatabase } from "./databases.js";
import { git } from "./git-fixture.js";
import { givenClaimed, startMctl, type WorkerRun, type Workspace, workspace, writeAgent } from "./worker.js";

const REPO = "acme/widgets";

/** The loops of the chaos variant, and what each prints for its pass (as test/cli/outage.test.ts). */
const LOOPS = [
  { command: ["dispatch", "--loop", "--interval", "0.1", "--max-cycles", "1"], pass: /dispatch completed/ },
  {
    command: ["orchestrate", "--loop", "--interval", "0.1", "--max-passes", "1"],
    pass: /orchestrate: delivered 0/,
  },
] as const;

/**
 * `mctl worker run` (on `databaseUrl`) of an agent that commits, pushes and then waits until the
 * test writes the file `go` before it exits: the test decides when the agent's end reaches the
 * runner (during a cut, say). `out` is the runner's stderr as it arrives.
 */
export async function runWaitingAgent(dir: string, ws: Workspace, attemptId: string, databaseUrl: string) {
  const go = path.join(dir, "go");
  const agent = await writeAgent(
    dir,
    "push-then-wait",
    [
      "echo data > work.txt",
      "git add work.txt && git commit -q -m 'add work file'",
      'git push -q origin "HEAD:refs/heads/$MCTL_BRANCH"',
      `while [ ! -f ${go} ]; do sleep 0.05; done`,
    ].join("\n"),
  );
  const run = startMctl(
    ["worker", "run", "--attempt", attemptId, "--repo", ws.git.repo, "--json", "--", agent],
    { ...ws.env(), DATABASE_URL: databaseUrl },
    dir,
  );
  return { run, out: watch(run), go };
}

/** A process's output as it arrives (startMctl resolves it only at the end). */
function watch(run: WorkerRun) {
  const out = { stderr: "" };
  run.child.stderr?.on("data", (chunk: Buffer) => {
    out.stderr += chunk.toString();
  });
  return out;
}

export async function workerAndAppThroughOutage(
  db: SharedDatabase,
  dir: string,
  options: {
    readonly holdMs: number;
    readonly leaseSeconds: number;
    /** Also `mctl dispatch --loop` and `mctl orchestrate --loop`, started once the cut began. */
    readonly loops?: boolean;
  },
): Promise<void> {
  await db.withLifecycle(async () => {});
  const proxy = await databaseProxy(new URL(db.env().DATABASE_URL ?? ""));
  proxy.up();
  const appDb = await openDatabase({ driver: "postgres", url: proxy.url }, { connectTimeoutMs: 2_000 });
  const periodicLog: string[] = [];
  let app: AppHarness | undefined;
  let periodic: { stop(): Promise<void> } | undefined;
  const runs: WorkerRun[] = [];
  try {
    app = await startApp(appDb.db, {
      appPermissions: { actions: "write", contents: "write", metadata: "read", pull_requests: "write" },
      attemptApi: ({ gh, baseUrl }) => ({
        tokens: createActionsTokenVerifier({ issuer: gh.oidc.issuer, audience: baseUrl }),
        agentWorkflowFor: async () => AGENT_WORKFLOW,
        leaseMs: options.leaseSeconds * 1000,
        backoff: { baseMs: 60_000, capMs: 60_000 },
      }),
    });
    const harness = app;
    // The app's own orchestrate task, every 100 ms (the configuration's unit is the second).
    const tasks = appPeriodicTasks({
      lifecycle: harness.lifecycle,
      snapshots: snapshotReader(appDb.db),
      config: DEFAULT_CONFIG,
      holder: "app:outage-test",
      appOctokit: null,
      deliveries: harness.store.deliveries,
      log: () => {},
    })
      .filter((task) => task.name === "orchestrate")
      .map((task) => ({ ...task, intervalMs: 100 }));
    periodic = startPeriodicTasks(tasks, {
      leases: harness.lifecycle,
      holder: "app:outage-test",
      clock: harness.lifecycle.clock,
      status: new PeriodicStatusBoard(),
      log: (level, message, detail) => periodicLog.push(`${level}: ${message} ${JSON.stringify(detail)}`),
      maxBackoffMs: 400,
      outage: {
        policy: { alertAfterMs: 300, limitMs: null },
        alerts: {
          raise: (finding) => harness.lifecycle.alerts.raise(finding),
          resolve: (subject) =>
            harness.lifecycle.alerts.resolve({ condition: "outage", subjects: [subject] }),
        },
      },
    });

    // The local worker: its agent pushes, then waits for the test's word to exit.
    const ws = await workspace(db, dir, { leaseSeconds: options.leaseSeconds, heartbeatSeconds: 2 });
    const local = await givenClaimed(db, { title: "Write the work file" });
    const { run: runner, out: runnerOut, go } = await runWaitingAgent(dir, ws, local.attempt.id, proxy.url);
    runs.push(runner);
    await until(() => runnerOut.stderr.includes("agent started"), { what: "the local agent to start" });

    // The remote worker: started through the app, its agent job's bundle made here.
    const base = await git(ws.git.remote, "rev-parse", "refs/heads/main");
    harness.gh.world.repository({ owner: "acme", name: "widgets", files: { "README.md": "# widgets\n" } });
    harness.gh.world.workflow(REPO, { path: `.github/workflows/${AGENT_WORKFLOW.workflow}` });
    harness.gh.world.commit(REPO, { branch: "main", sha: base, message: "base" });
    const remote = await db.withLifecycle(async (lifecycle) => {
      const created = await lifecycle.createTicket(
        { title: "Make widgets blue", repository: REPO },
        { kind: "human", id: "octocat" },
      );
      if (!created.ok) throw new Error(created.message);
      const claimed = await lifecycle.claim({
        ticket: created.ticket.key,
        expectedVersion: created.ticket.version,
        worker: "mission-control-agent",
        actor: dispatcher,
        leaseMs: options.leaseSeconds * 1000,
        fence: null,
      });
      if (!claimed.ok) throw new Error(claimed.message);
      return claimed;
    });
    const run = harness.gh.world.workflowRun(REPO, AGENT_WORKFLOW.workflow, { event: "workflow_dispatch" });
    const job = (name: string) => harness.gh.actions.startJob(run, { name, idToken: true }).env;
    const prepared = path.join(dir, "prepared");
    const prepare = startMctl(
      [
        "worker",
        "prepare",
        "--via",
        harness.baseUrl,
        "--attempt",
        remote.attempt.id,
        "--launch-key",
        remote.attempt.launchKey,
        "--out",
        prepared,
      ],
      job("prepare"),
      dir,
    );
    runs.push(prepare);
    const prepareEnd = await prepare.done;
    expect(prepareEnd.code, prepareEnd.stderr).toBe(0);
    const agentDir = path.join(dir, "agent-job");
    await git(dir, "clone", "-q", ws.git.remote, agentDir);
    await writeFile(path.join(agentDir, "widget.txt"), "blue\n");
    await git(agentDir, "add", ".");
    await git(agentDir, "commit", "-q", "-m", "blue widgets");
    const head = await git(agentDir, "rev-parse", "HEAD");
    const outcome = path.join(dir, "outcome");
    await mkdir(outcome);
    await git(agentDir, "bundle", "create", "-q", path.join(outcome, "commits.bundle"), `${base}..HEAD`);
    const reportDir = path.join(dir, "report-job");
    await git(dir, "clone", "-q", ws.git.remote, reportDir);

    // The cut: the local agent finishes, the remote job reports, the app's tasks run — all without
    // a database.
    proxy.down();
    await writeFile(go, "");
    const report = startMctl(
      [
        "worker",
        "report",
        "--via",
        harness.baseUrl,
        "--attempt",
        remote.attempt.id,
        "--outcome",
        outcome,
        "--prepared",
        prepared,
        "--repo",
        reportDir,
        "--retry-for",
        "600",
        "--json",
      ],
      job("report"),
      dir,
    );
    runs.push(report);
    const reportOut = watch(report);
    // The long-running loops, each to run one pass once the database is back.
    const loops = (options.loops ? LOOPS : []).map(({ command, pass }) => {
      const run = startMctl(command, { DATABASE_URL: proxy.url }, dir);
      runs.push(run);
      return { name: `mctl ${command[0]} --loop`, run, out: watch(run), pass };
    });
    await until(
      () => {
        for (const [name, r] of [
          ["the runner", runner],
          ["the report", report],
          ...loops.map((loop) => [loop.name, loop.run] as const),
        ] as const)
          if (r.child.exitCode !== null) throw new Error(`${name} exited during the outage`);
        return (
          loops.every((loop) =>
            /the database is unavailable .*trying again in \d+ s/.test(loop.out.stderr),
          ) &&
          /the database is unavailable \(.*\); the completion is kept and tried again until the lease runs out/.test(
            runnerOut.stderr,
          ) &&
          /the app is unavailable \(.*\(503\) database_unavailable/.test(reportOut.stderr) &&
          periodicLog.some(
            (line) => line.startsWith("error: outage alert ") && line.includes('"recorded":false'),
          )
        );
      },
      { what: "the runner, the report job and the app's task to wait out the outage" },
    );
    if (options.holdMs > 0) await sleep(options.holdMs);
    proxy.up();

    // Nothing is lost: both completions land once the database is back.
    const [runnerEnd, reportEnd] = await Promise.all([runner.done, report.done]);
    expect(runnerEnd.code, runnerEnd.stderr).toBe(0);
    expect(JSON.parse(runnerEnd.stdout)).toMatchObject({ result: "completed", ticket: local.ticket.key });
    expect(runnerEnd.stderr).toMatch(
      /the database is back after \d+ failed tries \(\d+ s\); the completion is being recorded/,
    );
    // Said once per outage, not once per try.
    expect(runnerEnd.stderr.match(/the completion is kept/g)).toHaveLength(1);
    expect(reportEnd.code, reportEnd.stderr).toBe(0);
    expect(JSON.parse(reportEnd.stdout)).toMatchObject({
      result: "completed",
      commitSha: head,
      state: "verifying",
    });
    expect(reportEnd.stderr).toMatch(/the app answers again after \d+ failed tries/);
    expect(reportEnd.stderr.match(/the app is unavailable/g)?.length).toBeGreaterThanOrEqual(1);
    expect(`${runnerEnd.stderr}${reportEnd.stderr}`).not.toContain("hunter2");
    // The loops carried on: each ran its pass once the database answered, and exited 0.
    for (const loop of loops) {
      const end = await loop.run.done;
      expect(end.code, `${loop.name}: ${end.stderr}`).toBe(0);
      expect(end.stdout, loop.name).toMatch(loop.pass);
      expect(end.stderr, loop.name).toMatch(/the database is back after \d+ failed pass\(es\); carrying on/);
      expect(end.stderr, loop.name).not.toContain("hunter2");
    }

    // No ticket is left in an unexplained state: each went claimed → verifying, nothing else (the
    // remote attempt's start binds its workflow run, an event of its own).
    const claimed = ["-→todo:created", "todo→in_progress:claimed"];
    const completed = "in_progress→verifying:completion_claimed";
    await db.withLifecycle(async (lifecycle) => {
      for (const [key, expected] of [
        [local.ticket.key, [...claimed, completed]],
        [remote.ticket.key, [...claimed, "in_progress→in_progress:attempt_started", completed]],
      ] as const) {
        const ticket = await lifecycle.findTicket(key);
        if (!ticket) throw new Error(`no ticket ${key}`);
        const [attempt, ...others] = await lifecycle.attemptsOf(ticket.id);
        const history = await lifecycle.ticketHistory(ticket.id);
        expect(ticket.state, key).toBe("verifying");
        expect(others, key).toEqual([]);
        expect(attempt?.status, key).toBe("completed");
        expect(
          history.map((e) => `${e.fromState ?? "-"}→${e.toState}:${e.reason}`),
          key,
        ).toEqual(expected);
      }
    });

    // The app's task raised the outage alert once it could write it, naming how long it lasted,
    // and resolved it once it had worked again for as long as the threshold.
    await until(
      async () => {
        const alert = await db.withLifecycle((lifecycle) => lifecycle.alerts.find("outage:app:orchestrate"));
        return typeof alert?.detail.until === "string" && alert.status === "resolved";
      },
      { what: "the app to record the outage alert, then resolve it" },
    );
    const alert = await db.withLifecycle((lifecycle) => lifecycle.alerts.find("outage:app:orchestrate"));
    expect(alert).toMatchObject({ condition: "outage", severity: "critical", recurrence: 0 });
    expect(alert?.message).toMatch(/^app:orchestrate could not work for \d+ s \(from .* to .*\): /);
  } finally {
    for (const r of runs)
      if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill("SIGKILL");
    await periodic?.stop();
    await app?.stop();
    await appDb.close().catch(() => {});
    await proxy.close();
  }
}
