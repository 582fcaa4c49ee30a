import { afterEach, beforeEach, expect, it } from "vitest";
import type { ActionsClaims } from "../../src/app/oidc/claims.js";
import { createActionsTokenVerifier } from "../../src/app/oidc/verifier.js";
import type { AttemptRow } from "../../src/db/schema.js";
import { signWebhook } from "../../src/github-standin/index.js";
import { dispatcher, givenTicket, manualClock } from "../builders/tickets.js";
import { describeOnDriver } from "../helpers/databases.js";
import type { AppHarness } from "./support/harness.js";
import { SECRET, startApp } from "./support/harness.js";
import { AGENT_WORKFLOW, agentRunClaims, forgedToken } from "./support/oidc.js";

const BASE = "b".repeat(40);
const HEAD = "c".repeat(40);
const REPO = "acme/widgets";

interface Answer {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies are checked by shape in each test
  readonly body: any;
}

/**
 * The attempt API over real HTTP on the app's server: tokens signed by the stand-in's OIDC issuer
 * and checked by the app's verifier against its JWKS; installation tokens and webhooks from the stand-in.
 */
describeOnDriver("attempt API", (ctx) => {
  let app: AppHarness;
  const AUDIENCE = "https://mission-control.test";
  /** How far ahead of real time the verifier's clock runs (an expired token without waiting). */
  let verifierSkewMs = 0;
  const clock = manualClock(new Date());
  let logLines: string[] = [];

  beforeEach(async () => {
    verifierSkewMs = 0;
    logLines = [];
    app = await startApp(ctx.db(), {
      clock,
      log: { level: "trace", destination: { write: (line: string) => void logLines.push(line) } },
      appPermissions: {
        actions: "write",
        checks: "write",
        contents: "write",
        issues: "write",
        metadata: "read",
        pull_requests: "write",
        statuses: "read",
        deployments: "read",
      },
      attemptApi: ({ gh }) => ({
        tokens: createActionsTokenVerifier({
          issuer: gh.oidc.issuer,
          audience: AUDIENCE,
          now: () => new Date(Date.now() + verifierSkewMs),
        }),
        agentWorkflowFor: async (repository) => (repository === REPO ? AGENT_WORKFLOW : null),
        leaseMs: 600_000,
        backoff: { baseMs: 60_000, capMs: 60_000 },
      }),
      runLiveness: { leaseMs: 600_000, graceMs: 300_000 },
    });
    for (const name of ["widgets", "gadgets"])
      app.gh.world.repository({ owner: "acme", name, files: { "README.md": `# ${name}\n` } });
  });
  afterEach(async () => {
    await app?.stop();
  });

  async function post(path: string, body: unknown, token?: string): Promise<Answer> {
    const res = await fetch(`${app.baseUrl}${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(body),
    });
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    return { status: res.status, body: await res.json() };
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

  /** Everything a refused call must leave as it was. */
  async function snapshot(attempt: AttemptRow) {
    const row = await app.lifecycle.findAttempt(attempt.id);
    const ticket = await app.lifecycle.findTicketById(attempt.ticketId);
    const history = await app.lifecycle.ticketHistory(attempt.ticketId);
    return { row, ticket, events: history.length };
  }

  const run = (over: Partial<ActionsClaims> = {}) => mint(REPO, { run_id: "5001", sha: BASE, ...over });
  const mint = (repository: string, over: Partial<ActionsClaims> = {}) =>
    app.gh.oidc.mint({ claims: agentRunClaims(repository, over), audience: AUDIENCE });
  const start = async (attempt: AttemptRow, token?: string) =>
    post(`/api/v1/attempts/${attempt.id}/start`, { launch_key: attempt.launchKey }, token ?? (await run()));

  function evidenceFor(attempt: AttemptRow, key: string, head = HEAD, base = BASE) {
    return {
      version: 1,
      attemptId: attempt.id,
      ticket: key,
      commitSha: head,
      branch: `mission-control/${key}`,
      baseSha: base,
      workingTreeClean: true,
      pushed: true,
      remote: { name: "origin", url: `https://github.com/${REPO}.git`, sha: head },
      tests: { status: "not_configured" },
      agent: { exitCode: 0, durationMs: 1000 },
      collectedAt: new Date().toISOString(),
    };
  }

  it("start answers the brief, the token's commit and the ticket branch; complete goes on to the evidence verifier", async () => {
    // The run starts on the default branch's tip in the stand-in; the agent's commit lands on the ticket branch.
    const base = app.gh.world.branch(REPO, "run-start");
    const attempt = await givenLaunching();
    const started = await start(attempt, await run({ sha: base }));
    expect(started.status).toBe(200);
    const key = started.body.ticket.key as string;
    expect(started.body).toMatchObject({
      attempt: { id: attempt.id, status: "running" },
      ticket: { repository: REPO, title: "Make widgets blue" },
      run: { repository: REPO, run_id: "5001", run_attempt: 1 },
      base_sha: base,
      branch: `mission-control/${key}`,
    });
    expect(started.body.brief).toContain("Make widgets blue");
    expect(started.body.brief).toContain("question.txt");
    expect(await app.lifecycle.findAttempt(attempt.id)).toMatchObject({ runId: "5001", baseSha: base });
    const head = app.gh.world.commit(REPO, {
      branch: `mission-control/${key}`,
      files: { "widget.txt": "blue\n" },
    }).sha;
    await app.settle();

    const done = await post(
      `/api/v1/attempts/${attempt.id}/complete`,
      {
        commit_sha: head,
        branch: `mission-control/${key}`,
        pull_request: 7,
        evidence: evidenceFor(attempt, key, head, base),
      },
      // A re-run of the report job is the same run.
      await run({ run_attempt: "2" }),
    );
    expect(done).toMatchObject({
      status: 200,
      body: { attempt: { status: "completed" }, ticket: { key, state: "verifying" } },
    });
    const row = await app.lifecycle.findAttempt(attempt.id);
    expect(row?.outcome).toMatchObject({
      reason: "completion_claimed",
      pullRequest: 7,
      evidence: { commitSha: head, baseSha: base },
    });
    // The completion queued the verifier's re-evaluation, which judged the commit on the stand-in.
    await app.settle();
    expect(await app.lifecycle.evidence.latestVerdictOf(attempt.id)).toMatchObject({ sha: head });
    // Calls on an ended attempt are 409.
    const again = await post(`/api/v1/attempts/${attempt.id}/fail`, { reason: "late" }, await run());
    expect(again).toMatchObject({ status: 409, body: { error: { code: "attempt_ended" } } });
  });

  it("needs-input stores the question; fail sends the ticket back", async () => {
    const asking = await givenLaunching();
    expect((await start(asking)).status).toBe(200);
    const asked = await post(
      `/api/v1/attempts/${asking.id}/needs-input`,
      { question: "Which blue?" },
      await run(),
    );
    expect(asked).toMatchObject({ status: 200, body: { ticket: { state: "needs_input" } } });
    expect(await app.lifecycle.questionsOf(asking.ticketId)).toMatchObject([{ question: "Which blue?" }]);

    const failing = await givenLaunching();
    const token = await run({ run_id: "6001" });
    expect((await start(failing, token)).status).toBe(200);
    const tooLong = await post(`/api/v1/attempts/${failing.id}/fail`, { reason: "x".repeat(2001) }, token);
    expect(tooLong).toMatchObject({ status: 400, body: { error: { code: "invalid_request" } } });
    const failed = await post(
      `/api/v1/attempts/${failing.id}/fail`,
      { reason: "the build is broken" },
      token,
    );
    expect(failed).toMatchObject({
      status: 200,
      body: { attempt: { status: "failed" }, ticket: { state: "todo" } },
    });
  });

  /** A genuine token presented ten minutes later (GitHub's live five): the verifier's clock moves on. */
  async function expiredPost(path: string, body: unknown): Promise<Answer> {
    const token = await run();
    verifierSkewMs = 600_000;
    try {
      return await post(path, body, token);
    } finally {
      verifierSkewMs = 0;
    }
  }

  it("every refusal answers with a reason and changes nothing", async () => {
    const attempt = await givenLaunching();
    const before = await snapshot(attempt);
    const path = `/api/v1/attempts/${attempt.id}/start`;
    const body = { launch_key: attempt.launchKey };
    const refusals: [string, Answer, number, string][] = [
      ["missing token", await post(path, body), 401, "token_missing"],
      [
        "wrong signature",
        await post(
          path,
          body,
          await forgedToken({
            issuer: app.gh.oidc.issuer,
            kid: app.gh.oidc.currentKid,
            audience: AUDIENCE,
            claims: agentRunClaims(REPO),
          }),
        ),
        401,
        "bad_signature",
      ],
      [
        "wrong audience",
        await post(
          path,
          body,
          await app.gh.oidc.mint({ claims: agentRunClaims(REPO), audience: "https://elsewhere.test" }),
        ),
        401,
        "wrong_audience",
      ],
      ["expired", await expiredPost(path, body), 401, "expired"],
      ["another repository", await post(path, body, await mint("acme/gadgets")), 403, "wrong_repository"],
      [
        "another workflow",
        await post(
          path,
          body,
          await run({ workflow_ref: `${REPO}/.github/workflows/other.yml@refs/heads/main` }),
        ),
        403,
        "wrong_workflow",
      ],
      [
        "a workflow on another ref",
        await post(
          path,
          body,
          await run({
            workflow_ref: `${REPO}/.github/workflows/${AGENT_WORKFLOW.workflow}@refs/heads/feature`,
          }),
        ),
        403,
        "wrong_workflow",
      ],
      [
        "a pull-request-triggered run",
        await post(path, body, await run({ event_name: "pull_request" })),
        403,
        "wrong_event",
      ],
      ["wrong launch key", await post(path, { launch_key: "nope" }, await run()), 403, "launch_key_mismatch"],
      [
        "not started yet",
        await post(`/api/v1/attempts/${attempt.id}/fail`, { reason: "x" }, await run()),
        409,
        "not_started",
      ],
    ];
    for (const [what, answer, status, code] of refusals) {
      expect({ what, status: answer.status, code: answer.body.error?.code }).toEqual({ what, status, code });
      expect(answer.body.error.message).toEqual(expect.any(String));
    }
    expect(await snapshot(attempt)).toEqual(before);

    // Started by run 5001: a replayed start (same run or another) and any call of another run are refused.
    expect((await start(attempt)).status).toBe(200);
    const bound = await snapshot(attempt);
    const key = bound.ticket?.key ?? "";
    const replay = await start(attempt);
    expect(replay).toMatchObject({ status: 409, body: { error: { code: "already_started" } } });
    const replayOther = await start(attempt, await run({ run_id: "9999" }));
    expect(replayOther.status).toBe(403);
    const other = await post(
      `/api/v1/attempts/${attempt.id}/complete`,
      { commit_sha: HEAD, branch: `mission-control/${key}`, evidence: evidenceFor(attempt, key) },
      await run({ run_id: "9999" }),
    );
    expect(other).toMatchObject({ status: 403, body: { error: { code: "wrong_run" } } });
    const otherToken = await post(
      `/api/v1/attempts/${attempt.id}/push-token`,
      {},
      await run({ run_id: "9999" }),
    );
    expect(otherToken.status).toBe(403);
    const badEvidence = await post(
      `/api/v1/attempts/${attempt.id}/complete`,
      {
        commit_sha: HEAD,
        branch: `mission-control/${key}`,
        evidence: { ...evidenceFor(attempt, key), baseSha: HEAD },
      },
      await run(),
    );
    expect(badEvidence).toMatchObject({ status: 400, body: { error: { code: "invalid_request" } } });
    expect(await snapshot(attempt)).toEqual(bound);
  });

  it("the push token works on the ticket's repository only", async () => {
    const attempt = await givenLaunching();
    expect((await start(attempt)).status).toBe(200);
    const oidc = await run();
    const answer = await post(`/api/v1/attempts/${attempt.id}/push-token`, {}, oidc);
    expect(answer).toMatchObject({
      status: 200,
      body: { token: expect.stringMatching(/^ghs_/), repository: REPO },
    });
    expect(Date.parse(answer.body.expires_at)).toBeGreaterThan(Date.now());
    const as = (repo: string) =>
      fetch(`${app.gh.url}/repos/${repo}`, { headers: { authorization: `token ${answer.body.token}` } });
    expect((await as(REPO)).status).toBe(200);
    expect((await as(`${REPO}/contents/README.md`)).status).toBe(200);
    // Neither the push token nor the run's OIDC token is in any log line of the app.
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.filter((line) => line.includes(answer.body.token))).toEqual([]);
    expect(logLines.filter((line) => line.includes((oidc.split(".")[2] ?? "").slice(0, 20)))).toEqual([]);
    for (const path of ["acme/gadgets", "acme/gadgets/contents/README.md"])
      expect({ path, status: (await as(path)).status }).toMatchObject({
        path,
        status: expect.toBeOneOf([403, 404]),
      });
  });

  it("an in-progress job webhook (GitHub's, signed) renews the lease of its run's attempt", async () => {
    const attempt = await givenLaunching();
    expect((await start(attempt, await run({ run_id: "4242" }))).status).toBe(200);
    clock.advance(100_000);
    const deliver = async (action: string, runId: number, id: string) => {
      const body = JSON.stringify({
        action,
        workflow_job: { id: 1, run_id: runId, run_attempt: 1, status: action, name: "agent" },
        repository: { full_name: REPO, name: "widgets", owner: { login: "acme" } },
        installation: { id: 1 },
        sender: { login: "octocat" },
      });
      const res = await fetch(app.webhookUrl, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": "workflow_job",
          "x-github-delivery": id,
          "x-hub-signature-256": signWebhook(SECRET, body),
        },
        body,
      });
      expect(res.status).toBeLessThan(300);
    };
    await deliver("in_progress", 9999, "d-1");
    const untouched = await app.lifecycle.findAttempt(attempt.id);
    expect(untouched?.leaseExpiresAt.getTime()).toBe(clock.now().getTime() - 100_000 + 600_000);
    await deliver("in_progress", 4242, "d-2");
    const renewed = await app.lifecycle.findAttempt(attempt.id);
    expect(renewed?.leaseExpiresAt.getTime()).toBe(clock.now().getTime() + 600_000);
    // A job that completed says nothing about the run: the lease stays.
    clock.advance(1_000);
    await deliver("completed", 4242, "d-3");
    expect((await app.lifecycle.findAttempt(attempt.id))?.leaseExpiresAt).toEqual(renewed?.leaseExpiresAt);
  });

  it("run webhooks renew the lease; a run that completes without a report loses its attempt after the grace", async () => {
    app.gh.world.workflow(REPO, { path: `.github/workflows/${AGENT_WORKFLOW.workflow}` });
    const ghRun = app.gh.world.workflowRun(REPO, AGENT_WORKFLOW.workflow, { status: "queued" });
    await app.settle();
    const attempt = await givenLaunching();
    expect((await start(attempt, await run({ run_id: String(ghRun.id) }))).status).toBe(200);
    const startedLease = (await app.lifecycle.findAttempt(attempt.id))?.leaseExpiresAt.getTime() ?? 0;

    clock.advance(500_000);
    app.gh.world.updateWorkflowRun(REPO, ghRun.id, "in_progress");
    await app.settle();
    const renewed = (await app.lifecycle.findAttempt(attempt.id))?.leaseExpiresAt.getTime() ?? 0;
    expect(renewed).toBe(clock.now().getTime() + 600_000);
    expect(renewed).toBeGreaterThan(startedLease);

    app.gh.world.updateWorkflowRun(REPO, ghRun.id, "completed", "success");
    await app.settle();
    expect((await app.lifecycle.findAttempt(attempt.id))?.leaseExpiresAt.getTime()).toBe(
      clock.now().getTime() + 300_000,
    );
    expect(await app.lifecycle.findExpiredAttempts(10)).toEqual([]);
    clock.advance(300_000);
    expect((await app.lifecycle.findExpiredAttempts(10)).map((a) => a.id)).toEqual([attempt.id]);
  });
});
