/**
 * The app as the control plane, end to end (issue "A real installation"): two owners, each with a
 * control repository (configuration + dispatch workflow) and target repositories with an agent
 * workflow, all in the GitHub stand-in. Dispatch happens only through `POST /api/v1/dispatch`,
 * called by the built `mctl dispatch --via` inside a stand-in job that holds an OIDC token; each
 * attempt is started and reported by `mctl worker prepare|report --via` in jobs of its own run, and
 * verified by the app against the stand-in. No process the test starts (other than the app) holds a
 * database URL or a private key: each one's environment is dumped by the process itself and scanned.
 */
import { execFile, spawn } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, expect, it } from "vitest";
import { stringify } from "yaml";
import { createActionsTokenVerifier } from "../../src/app/oidc/verifier.js";
import { ConfigSchema } from "../../src/config/schema.js";
import type { WorkflowRunRecord } from "../../src/github-standin/world/types.js";
import { givenTicket } from "../builders/tickets.js";
import { MCTL, tempDir } from "../helpers/cli.js";
import { describeOnDriver } from "../helpers/databases.js";
import { type AppHarness, startApp } from "./support/harness.js";

const exec = promisify(execFile);
const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: "agent",
  GIT_AUTHOR_EMAIL: "agent@example.com",
  GIT_COMMITTER_NAME: "agent",
  GIT_COMMITTER_EMAIL: "agent@example.com",
};
const git = async (cwd: string, ...args: string[]) =>
  (
    await exec("git", args, { cwd, env: { PATH: process.env.PATH ?? "", HOME: cwd, ...GIT_IDENTITY } })
  ).stdout.trim();

const AGENT = "mission-control-agent.yml";
const DISPATCH = "mission-control-dispatch.yml";
const launcher = { kind: "github-workflow", workflow: AGENT, ref: "main" };
const OWNERS = {
  acme: ["acme/widgets", "acme/gadgets"],
  globex: ["globex/tools"],
} as const;

describeOnDriver("the app as the control plane (dispatch and attempts over OIDC only)", (ctx) => {
  let app: AppHarness;
  let dir: { path: string; remove(): Promise<void> };
  /** Every environment a process started by this test had, as it dumped it itself. */
  const dumps: string[] = [];
  /** How far ahead of real time the app's token verifier runs (an expired token without waiting). */
  let skewMs = 0;

  beforeEach(async () => {
    dumps.length = 0;
    skewMs = 0;
    dir = await tempDir("mctl-control-");
    app = await startApp(ctx.db(), {
      appPermissions: {
        actions: "write",
        checks: "write",
        contents: "write",
        issues: "write",
        metadata: "read",
        pull_requests: "write",
      },
      control: ({ gh, baseUrl }) => ({
        config: ConfigSchema.parse({ app: { public_url: baseUrl } }),
        tokens: createActionsTokenVerifier({
          issuer: gh.oidc.issuer,
          audience: baseUrl,
          now: () => new Date(Date.now() + skewMs),
        }),
      }),
    });
    const { world } = app.gh;
    for (const [owner, repositories] of Object.entries(OWNERS)) {
      const config = {
        dispatch: { max_workers: 4 },
        repositories: Object.fromEntries(repositories.map((r) => [r, { launcher }])),
      };
      world.repository({
        owner,
        name: "mission-control",
        files: { ".github/mission-control.yml": stringify(config) },
      });
      world.workflow(`${owner}/mission-control`, { path: `.github/workflows/${DISPATCH}` });
      for (const repository of repositories) {
        const [, name = ""] = repository.split("/");
        world.repository({ owner, name, files: { "README.md": `# ${name}\n` } });
        world.workflow(repository, { path: `.github/workflows/${AGENT}` });
      }
    }
  });
  afterEach(async () => {
    await app?.stop();
    await dir?.remove();
  });

  /**
   * The built mctl in a job: an environment of PATH, HOME and the job's own variables only. The
   * process writes its own environment (`/proc/self/environ`) before it becomes mctl.
   */
  async function mctlInJob(args: string[], jobEnv: Readonly<Record<string, string>>) {
    const dump = path.join(dir.path, `env-${dumps.length}.txt`);
    const child = spawn(
      "/bin/sh",
      ["-c", 'tr "\\0" "\\n" < /proc/$$/environ > "$0"; exec "$@"', dump, process.execPath, MCTL, ...args],
      {
        cwd: dir.path,
        env: { PATH: process.env.PATH ?? "", HOME: dir.path, ...GIT_IDENTITY, ...jobEnv },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    dumps.push(await readFile(dump, "utf8"));
    return { code, stdout, stderr };
  }

  /** A scheduled run of the owner's dispatch workflow, and a job of it with `id-token: write`. */
  function dispatchJob(owner: string, input: { event?: string; repository?: string; ref?: string } = {}) {
    const repository = input.repository ?? `${owner}/mission-control`;
    const run = app.gh.world.workflowRun(repository, DISPATCH, {
      event: input.event ?? "schedule",
      ...(input.ref ? { ref: input.ref } : {}),
    });
    return app.gh.actions.startJob(run, { name: "dispatch", idToken: true }).env;
  }

  const runsOf = (repository: string): WorkflowRunRecord[] => [
    ...app.gh.world.repo(repository).workflowRuns.values(),
  ];

  /** origin (bare) whose main is the stand-in's main, by sha. */
  async function givenOrigin(repository: string): Promise<{ origin: string; base: string }> {
    const slug = repository.replace("/", "-");
    const seed = path.join(dir.path, `${slug}-seed`);
    const origin = path.join(dir.path, `${slug}.git`);
    await mkdir(seed);
    await git(seed, "init", "-q", "-b", "main");
    await writeFile(path.join(seed, "README.md"), `# ${repository}\n`);
    await git(seed, "add", ".");
    await git(seed, "commit", "-q", "-m", "base");
    await git(dir.path, "clone", "-q", "--bare", seed, origin);
    const base = await git(seed, "rev-parse", "HEAD");
    app.gh.world.commit(repository, { branch: "main", sha: base, message: "base" });
    return { origin, base };
  }

  /** One attempt's three jobs: prepare (start), the agent (a commit, as a bundle), report (push + complete). */
  async function workAttempt(repository: string, run: WorkflowRunRecord, origin: string, base: string) {
    const inputs = run.inputs as { ticket: string; attempt: string; launch_key: string };
    const job = (name: string) => app.gh.actions.startJob(run, { name, idToken: true }).env;
    const prepared = path.join(dir.path, `${inputs.ticket}-prepared`);
    const prepare = await mctlInJob(
      [
        "worker",
        "prepare",
        "--via",
        app.baseUrl,
        "--attempt",
        inputs.attempt,
        "--launch-key",
        inputs.launch_key,
        "--out",
        prepared,
        "--json",
      ],
      job("prepare"),
    );
    expect(prepare.stderr).toBe("");
    expect(prepare.code).toBe(0);
    const branch = (await readFile(path.join(prepared, "branch"), "utf8")).trim();
    // The agent job: no token of any kind, a checkout, one commit, the bundle.
    const work = path.join(dir.path, `${inputs.ticket}-agent`);
    await git(dir.path, "clone", "-q", origin, work);
    await writeFile(path.join(work, "change.txt"), `${inputs.ticket}\n`);
    await git(work, "add", ".");
    await git(work, "commit", "-q", "-m", `work on ${inputs.ticket}`);
    const head = await git(work, "rev-parse", "HEAD");
    const outcome = path.join(dir.path, `${inputs.ticket}-outcome`);
    await mkdir(outcome);
    await git(work, "bundle", "create", "-q", path.join(outcome, "commits.bundle"), `${base}..HEAD`);
    // GitHub shows the pushed commit on the ticket's branch (the stand-in has no git transport).
    app.gh.world.branch(repository, branch);
    app.gh.world.commit(repository, { branch, sha: head, message: `work on ${inputs.ticket}` });
    const checkout = path.join(dir.path, `${inputs.ticket}-report`);
    await git(dir.path, "clone", "-q", origin, checkout);
    const report = await mctlInJob(
      [
        "worker",
        "report",
        "--via",
        app.baseUrl,
        "--attempt",
        inputs.attempt,
        "--outcome",
        outcome,
        "--prepared",
        prepared,
        "--repo",
        checkout,
        "--json",
      ],
      job("report"),
    );
    expect(report.stderr).toBe("");
    expect(report.code).toBe(0);
    expect(await git(origin, "rev-parse", `refs/heads/${branch}`)).toBe(head);
    return { attempt: inputs.attempt, ticket: inputs.ticket, head };
  }

  it("each owner's dispatch claims only its tickets and launches each in its own repository; attempts start, report and verify over the API", async () => {
    const tickets: Record<string, string> = {};
    for (const repository of [...OWNERS.acme, ...OWNERS.globex])
      tickets[repository] = (
        await givenTicket(app.lifecycle, { repository, title: `work in ${repository}` })
      ).key;
    const origins = Object.fromEntries(
      await Promise.all(
        [...OWNERS.acme, ...OWNERS.globex].map(async (r) => [r, await givenOrigin(r)] as const),
      ),
    );

    // acme's scheduled dispatch: both acme tickets, each launched in its own repository; not globex's.
    const acme = await mctlInJob(["dispatch", "--via", app.baseUrl, "--json"], dispatchJob("acme"));
    expect(acme.stderr).toBe("");
    expect(acme.code).toBe(0);
    const record = JSON.parse(acme.stdout) as {
      scope: string;
      decisions: { code: string; ticket?: string }[];
    };
    expect(record.scope).toMatch(/acme/);
    expect(
      record.decisions
        .filter((d) => d.code === "claimed")
        .map((d) => d.ticket)
        .sort(),
    ).toEqual([tickets["acme/widgets"], tickets["acme/gadgets"]].sort());
    expect((await app.lifecycle.findTicket(tickets["globex/tools"] ?? ""))?.state).toBe("todo");
    for (const repository of OWNERS.acme) {
      const runs = runsOf(repository);
      expect(runs.map((run) => (run.inputs as { ticket: string }).ticket)).toEqual([tickets[repository]]);
    }
    expect(runsOf("globex/tools")).toEqual([]);

    // Each acme attempt: prepare, agent, report — then the app verifies it on the stand-in.
    const worked = [];
    for (const repository of OWNERS.acme) {
      const { origin, base } = origins[repository] ?? { origin: "", base: "" };
      worked.push({
        repository,
        ...(await workAttempt(repository, runsOf(repository)[0] as WorkflowRunRecord, origin, base)),
      });
    }
    await app.settle();
    for (const { repository, attempt, head } of worked) {
      const row = await app.lifecycle.findAttempt(attempt);
      expect(row).toMatchObject({ status: "completed", runRepository: repository });
      expect(await app.lifecycle.evidence.latestVerdictOf(attempt)).toMatchObject({
        status: "pass",
        repository,
        sha: head,
      });
    }

    // globex's own dispatch claims its ticket, in its repository.
    const globex = await mctlInJob(["dispatch", "--via", app.baseUrl, "--json"], dispatchJob("globex"));
    expect(globex.code).toBe(0);
    expect(runsOf("globex/tools").map((run) => (run.inputs as { ticket: string }).ticket)).toEqual([
      tickets["globex/tools"],
    ]);
    for (const repository of OWNERS.acme) expect(runsOf(repository)).toHaveLength(1);

    // No process this test started held a database URL or a private key.
    expect(dumps.length).toBe(6);
    for (const environment of dumps) {
      expect(environment).toContain("ACTIONS_ID_TOKEN_REQUEST_URL=");
      expect(environment).not.toMatch(/DATABASE_URL|postgres(ql)?:\/\/|PRIVATE_KEY|BEGIN [A-Z ]*PRIVATE KEY/);
      expect(environment).not.toContain(app.privateKey.split("\n")[1] ?? "never");
    }
  });

  it("the webhook allow-list is each owner's own: a labelled issue makes a ticket only in a repository its control repository lists", async () => {
    const { world } = app.gh;
    world.repository({ owner: "acme", name: "secret", collaborators: { bob: "admin" } });
    world.repository({ owner: "initech", name: "widgets", collaborators: { bob: "admin" } });
    for (const repository of ["acme/widgets", "acme/secret", "initech/widgets"]) {
      world.permission(repository, "bob", "admin");
      const issue = world.issue(repository, { title: `work in ${repository}`, author: "bob" });
      world.labelIssue(repository, issue.number, ["mission-control"], "bob");
    }
    await app.settle();
    const tickets = await app.lifecycle.listTickets();
    // acme lists widgets (not secret); initech has no control repository, so nothing of it is served.
    expect(tickets.map((t) => t.repository)).toEqual(["acme/widgets"]);
    const outcomes = (await app.store.deliveries.recent(50))
      .filter((d) => d.event === "issues" && d.action === "labeled")
      .map((d) => `${d.repository} ${d.outcome}`)
      .sort();
    expect(outcomes).toEqual([
      "acme/secret ignored:repository_not_allowed",
      expect.stringMatching(/^acme\/widgets /),
      "initech/widgets ignored:repository_not_allowed",
    ]);
  });

  it("refuses, changing nothing: no token, a forged or mis-addressed token, another repository, a pull request run, another ref, an expired token, an owner without configuration", async () => {
    const ticket = await givenTicket(app.lifecycle, { repository: "acme/widgets" });
    const post = async (token?: string) => {
      const res = await fetch(`${app.baseUrl}/api/v1/dispatch`, {
        method: "POST",
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      return { status: res.status, body: (await res.json()) as { error: { code: string; message: string } } };
    };
    const tokenOf = async (env: Readonly<Record<string, string>>, audience = app.baseUrl) => {
      const res = await fetch(
        `${env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=${encodeURIComponent(audience)}`,
        {
          headers: { authorization: `Bearer ${env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` },
        },
      );
      return ((await res.json()) as { value: string }).value;
    };
    const good = await tokenOf(dispatchJob("acme"));
    const [header = "", payload = ""] = good.split(".");
    app.gh.world.branch("acme/mission-control", "topic");
    app.gh.world.workflow("acme/widgets", { path: `.github/workflows/${DISPATCH}` });
    app.gh.world.repository({ owner: "acme", name: "elsewhere", files: { "README.md": "x\n" } });
    const cases: [string, string | undefined, number, string][] = [
      ["no token", undefined, 401, "token_missing"],
      ["a forged signature", `${header}.${payload}.${"A".repeat(342)}`, 401, "bad_signature"],
      [
        "another audience",
        await tokenOf(dispatchJob("acme"), "https://elsewhere.example"),
        401,
        "wrong_audience",
      ],
      [
        "another repository",
        await tokenOf(dispatchJob("acme", { repository: "acme/widgets" })),
        403,
        "wrong_repository",
      ],
      [
        "a pull request run",
        await tokenOf(dispatchJob("acme", { event: "pull_request" })),
        403,
        "wrong_event",
      ],
      [
        "the workflow on another ref",
        await tokenOf(dispatchJob("acme", { ref: "topic" })),
        403,
        "wrong_workflow",
      ],
    ];
    for (const [what, token, status, code] of cases) {
      const answer = await post(token);
      expect({ what, status: answer.status, code: answer.body.error.code }).toEqual({ what, status, code });
    }
    // Any workflow anywhere can ask for a token with the app's audience: one from another repository
    // is refused from its claims alone, without a single GitHub request.
    const foreign = await tokenOf(dispatchJob("acme", { repository: "acme/widgets" }));
    app.gh.requests.clear();
    expect((await post(foreign)).body.error.code).toBe("wrong_repository");
    expect(app.gh.requests.entries).toEqual([]);
    // An expired token: the app's clock is ten minutes past the token's five.
    const expiring = await tokenOf(dispatchJob("acme"));
    skewMs = 10 * 60_000;
    expect((await post(expiring)).body.error.code).toBe("expired");
    skewMs = 0;
    // An owner whose control repository has no configuration runs nothing.
    app.gh.world.repository({ owner: "initech", name: "mission-control", files: { "README.md": "x\n" } });
    app.gh.world.workflow("initech/mission-control", { path: `.github/workflows/${DISPATCH}` });
    expect((await post(await tokenOf(dispatchJob("initech")))).body.error.code).toBe(
      "configuration_unavailable",
    );

    expect(await app.lifecycle.recentDispatchCycles(10)).toEqual([]);
    expect(await app.lifecycle.findTicket(ticket.key)).toMatchObject({
      state: "todo",
      version: ticket.version,
    });
    expect(runsOf("acme/widgets")).toHaveLength(2); // the two dispatch workflow runs made above, no agent run
  });
});
