import { afterAll, beforeAll, expect, it } from "vitest";
import { EVIDENCE_CHECK_NAME } from "../../src/config/schema.js";
import type { Evaluation, VerifyResult } from "../../src/evidence/verifier.js";
import type { GitHubStandin } from "../../src/github-standin/index.js";
import { describeOnDriver } from "../helpers/databases.js";
import { BACKOFF, LEASE_MS, type ReceivedWebhook, requestsSince, scenario, startWorld } from "./support.js";

let world: Awaited<ReturnType<typeof startWorld>>;
let gh: GitHubStandin;
let received: ReceivedWebhook[];
beforeAll(async () => {
  world = await startWorld();
  gh = world.gh;
  received = world.received;
});
afterAll(async () => world.stop());

function evaluated(result: VerifyResult): Evaluation {
  if (!result.ok) throw new Error(`expected an evaluation, got ${result.code}: ${result.message}`);
  return result.evaluation;
}

const criterion = (evaluation: Evaluation, id: string) =>
  evaluation.verdict.criteria.find((c) => c.id === id);

describeOnDriver("evidence verifier (over HTTP against the GitHub stand-in)", ({ db }) => {
  it("passes when every required fact holds: stored, decision requested, ticket untouched, check run published", async () => {
    const s = scenario(gh, db(), {
      required_checks: [{ name: "build", app: "ci" }],
      required_statuses: ["lint"],
      required_environments: ["staging"],
      require_tests: true,
    });
    const sha = s.commit();
    gh.world.checkRun(s.repository, { app: "ci", name: "build", headSha: sha, conclusion: "success" });
    gh.world.status(s.repository, { sha, state: "success", context: "lint" });
    const deployment = gh.world.deployment(s.repository, { ref: sha, environment: "staging" });
    gh.world.deploymentStatus(s.repository, deployment.id, { state: "success" });
    const { key } = await s.verifyingTicket(sha);

    const evaluation = evaluated(await s.verifier().verifyTicket({ ticket: key }));

    expect(evaluation.verdict.status).toBe("pass");
    expect(evaluation.verdict.criteria.map((c) => [c.id, c.status])).toEqual([
      ["attempt", "pass"],
      ["evidence", "pass"],
      ["policy", "pass"],
      ["commit", "pass"],
      ["new_work", "pass"],
      ["check:build", "pass"],
      ["status:lint", "pass"],
      ["deployment:staging", "pass"],
      ["tests", "pass"],
    ]);
    expect(evaluation.stored).toMatchObject({ status: "pass", ticketOutcome: "decision_requested", sha });
    const ticket = await s.lifecycle.findTicket(key);
    expect(ticket?.state).toBe("verifying");
    const requests = await s.lifecycle.evidence.decisionRequestsOf(ticket?.id ?? 0);
    expect(requests).toMatchObject([{ status: "open", sha, verdictId: evaluation.stored.id }]);
    const runs = gh.world.checkRunsOf(s.repository, sha).filter((r) => r.name === EVIDENCE_CHECK_NAME);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: "completed", conclusion: "success", appId: gh.app.id });
    for (const title of [
      "attempt is current and valid",
      'check "build" (ci)',
      'status "lint"',
      "deployed to staging",
    ])
      expect(runs[0]?.output.summary).toContain(`| ${title} | ✅ pass |`);
  });

  it("rule: only the ticket's current, validly completed attempt counts (a lost attempt's evidence is refused)", async () => {
    const s = scenario(gh, db(), { required_checks: [] });
    const sha = s.commit();
    const dispatcherActor = { kind: "dispatcher", id: "d" } as const;
    const created = await s.lifecycle.createTicket(
      { repository: s.repository, title: "t" },
      { kind: "human", id: "h" },
    );
    if (!created.ok) throw new Error(created.message);
    const key = created.ticket.key;
    // Attempt 1 runs, then loses its lease: the dispatcher expires it and the ticket is requeued.
    const first = await s.lifecycle.claim({
      ticket: key,
      expectedVersion: 1,
      worker: "agent-1",
      actor: dispatcherActor,
      leaseMs: LEASE_MS,
      fence: null,
    });
    if (!first.ok) throw new Error(first.message);
    await s.lifecycle.startAttempt({
      attemptId: first.attempt.id,
      launchKey: first.attempt.launchKey,
      leaseMs: LEASE_MS,
    });
    s.clock.advance(LEASE_MS + 1);
    expect(
      await s.lifecycle.expireAttempt({
        attemptId: first.attempt.id,
        actor: dispatcherActor,
        backoff: BACKOFF,
        fence: null,
      }),
    ).toMatchObject({ ok: true });
    // Attempt 2 completes properly.
    const second = await s.completeNextAttempt(key, sha);

    const verifier = s.verifier();
    const stale = evaluated(await verifier.verifyTicket({ ticket: key, attemptId: first.attempt.id }));
    expect(stale.verdict.status).toBe("fail");
    expect(criterion(stale, "attempt")).toMatchObject({ status: "fail", reason: "attempt_not_current" });
    expect(criterion(stale, "attempt")?.message).toContain("it is lost");
    expect(stale.stored.ticketOutcome).toMatch(/^not_applied/);
    expect(stale.publication).toBeNull();
    const untouched = await s.lifecycle.findTicket(key);
    expect(untouched).toMatchObject({ state: "verifying", currentAttemptId: second });

    const valid = evaluated(await verifier.verifyTicket({ ticket: key }));
    expect(valid.attemptId).toBe(second);
    expect(criterion(valid, "attempt")).toMatchObject({ status: "pass", reason: "current_attempt" });
    expect(valid.verdict.status).toBe("pass");
  });

  it("rule: evidence that names another attempt fails and sends the ticket back with back-off", async () => {
    const s = scenario(gh, db(), {});
    const sha = s.commit();
    const { key, attemptId } = await s.verifyingTicket(sha, {
      evidenceAttemptId: "00000000-0000-4000-8000-000000000000",
    });
    const evaluation = evaluated(await s.verifier().verifyTicket({ ticket: key }));
    expect(criterion(evaluation, "evidence")).toMatchObject({
      status: "fail",
      reason: "evidence_other_attempt",
    });
    expect(evaluation.stored.ticketOutcome).toBe("returned_to_todo");
    const ticket = await s.lifecycle.findTicket(key);
    expect(ticket).toMatchObject({ state: "todo", currentAttemptId: null });
    expect(ticket?.nextEligibleAt?.getTime()).toBe(s.clock.now().getTime() + BACKOFF.baseMs);
    const history = await s.lifecycle.ticketHistory(ticket?.id ?? 0);
    expect(history.at(-1)).toMatchObject({
      fromState: "verifying",
      toState: "todo",
      reason: "evidence_failed",
      actorKind: "verifier",
      attemptId,
    });
  });

  it("rule: a required check still running (conclusion null) is pending; completing it passes on re-evaluation", async () => {
    const s = scenario(gh, db(), { required_checks: [{ name: "build" }] });
    const sha = s.commit();
    const run = gh.world.checkRun(s.repository, {
      app: "ci",
      name: "build",
      headSha: sha,
      status: "in_progress",
    });
    const { key } = await s.verifyingTicket(sha);
    const verifier = s.verifier();

    const first = evaluated(await verifier.verifyTicket({ ticket: key }));
    expect(first.verdict.status).toBe("pending");
    expect(criterion(first, "check:build")).toMatchObject({ status: "pending", reason: "check_running" });
    const ours = () => gh.world.checkRunsOf(s.repository, sha).filter((r) => r.name === EVIDENCE_CHECK_NAME);
    expect(ours()).toMatchObject([{ status: "in_progress", conclusion: null }]);
    expect(ours()[0]?.output.summary).toContain(
      '**Still pending:** check "build" (still in_progress (no conclusion yet))',
    );

    gh.world.completeCheckRun(s.repository, run.id, "success");
    const [again] = await verifier.reevaluate({ repository: s.repository, sha });
    expect(again && evaluated(again).verdict.status).toBe("pass");
    // Created once, then updated: still one check run of ours on the commit.
    expect(ours()).toMatchObject([{ status: "completed", conclusion: "success" }]);
    const history = await s.lifecycle.evidence.verdictsOf((await s.lifecycle.findTicket(key))?.id ?? 0);
    expect(history.map((v) => v.status)).toEqual(["pending", "pass"]);
  });

  it("rule: a required check that is missing is pending, never green", async () => {
    const s = scenario(gh, db(), { required_checks: [{ name: "build" }, { name: "e2e" }] });
    const sha = s.commit();
    gh.world.checkRun(s.repository, { app: "ci", name: "build", headSha: sha, conclusion: "success" });
    const { key } = await s.verifyingTicket(sha);
    const evaluation = evaluated(await s.verifier().verifyTicket({ ticket: key }));
    expect(evaluation.verdict.status).toBe("pending");
    expect(criterion(evaluation, "check:build")?.status).toBe("pass");
    expect(criterion(evaluation, "check:e2e")).toMatchObject({ status: "pending", reason: "check_missing" });
    expect((await s.lifecycle.findTicket(key))?.state).toBe("verifying");
  });

  it("rule: a check on another SHA never counts (a green earlier commit does not make the new one green)", async () => {
    const s = scenario(gh, db(), { required_checks: [{ name: "build" }] });
    const earlier = s.commit();
    gh.world.checkRun(s.repository, { app: "ci", name: "build", headSha: earlier, conclusion: "success" });
    const sha = s.commit();
    const { key } = await s.verifyingTicket(sha);
    const evaluation = evaluated(await s.verifier().verifyTicket({ ticket: key }));
    expect(criterion(evaluation, "check:build")).toMatchObject({
      status: "pending",
      reason: "check_missing",
    });
    expect(evaluation.verdict.status).toBe("pending");
  });

  it("rule: Mission Control's own check runs never count (its app id is learned from the check run it creates)", async () => {
    const s = scenario(gh, db(), { required_checks: [{ name: "build" }] });
    const sha = s.commit();
    const { key } = await s.verifyingTicket(sha);
    const verifier = s.verifier();
    const first = evaluated(await verifier.verifyTicket({ ticket: key }));
    expect(first.publication).toMatchObject({ ok: true, created: true, appId: gh.app.id });
    // Our own app posts a green "build" on the commit: it proves nothing.
    gh.world.checkRun(s.repository, { app: gh.app.id, name: "build", headSha: sha, conclusion: "success" });
    const [again] = await verifier.reevaluate({ repository: s.repository, sha });
    expect(again && criterion(evaluated(again), "check:build")).toMatchObject({
      status: "pending",
      reason: "check_missing",
    });
    // CI's green "build" does.
    gh.world.checkRun(s.repository, { app: "ci", name: "build", headSha: sha, conclusion: "success" });
    const [third] = await verifier.reevaluate({ repository: s.repository, sha });
    expect(third && evaluated(third).verdict.status).toBe("pass");
  });

  it("a failed required check fails the verdict: ticket back to todo with back-off, check run concluded failure", async () => {
    const s = scenario(gh, db(), { required_checks: [{ name: "build" }] });
    const sha = s.commit();
    gh.world.checkRun(s.repository, { app: "ci", name: "build", headSha: sha, conclusion: "failure" });
    const { key } = await s.verifyingTicket(sha);
    const evaluation = evaluated(await s.verifier().verifyTicket({ ticket: key }));
    expect(criterion(evaluation, "check:build")).toMatchObject({ status: "fail", reason: "check_failed" });
    expect(evaluation.stored.ticketOutcome).toBe("returned_to_todo");
    expect(await s.lifecycle.findTicket(key)).toMatchObject({
      state: "todo",
      nextEligibleAt: new Date(s.clock.now().getTime() + BACKOFF.baseMs),
    });
    const ours = gh.world.checkRunsOf(s.repository, sha).filter((r) => r.name === EVIDENCE_CHECK_NAME);
    expect(ours).toMatchObject([{ status: "completed", conclusion: "failure" }]);
    // The ticket has left verifying: re-evaluating the commit finds nothing to do.
    expect(await s.verifier().reevaluate({ repository: s.repository, sha })).toEqual([]);
  });

  it("attack: the unchanged base commit, green, merged and deployed, fails new_work and the ticket is not done", async () => {
    // The default branch's head has everything a policy can ask for; the agent claims it as its work.
    const s = scenario(gh, db(), {
      required_checks: [{ name: "build" }],
      require_merged: true,
      required_environments: ["production"],
    });
    const repo = gh.world.repo(s.repository);
    const base = repo.branches.get(repo.defaultBranch) ?? "";
    gh.world.checkRun(s.repository, { app: "ci", name: "build", headSha: base, conclusion: "success" });
    const deployment = gh.world.deployment(s.repository, { ref: base, environment: "production" });
    gh.world.deploymentStatus(s.repository, deployment.id, { state: "success" });
    const { key } = await s.verifyingTicket(base, { baseSha: base });
    const evaluation = evaluated(await s.verifier().verifyTicket({ ticket: key }));
    expect(evaluation.verdict.status).toBe("fail");
    expect(criterion(evaluation, "new_work")).toMatchObject({ status: "fail", reason: "no_new_commits" });
    for (const id of ["commit", "merged", "check:build", "deployment:production"])
      expect(criterion(evaluation, id)).toMatchObject({ status: "pass" });
    expect(await s.lifecycle.findTicket(key)).toMatchObject({ state: "todo" });
    const ours = gh.world.checkRunsOf(s.repository, base).filter((r) => r.name === EVIDENCE_CHECK_NAME);
    expect(ours).toMatchObject([{ status: "completed", conclusion: "failure" }]);
    expect(`${ours[0]?.output.summary} ${ours[0]?.output.text}`).toContain("nothing new was committed");
  });

  it("rule: the latest deployment status decides (in progress → pending, then success → pass)", async () => {
    const s = scenario(gh, db(), { required_environments: ["production"] });
    const sha = s.commit();
    const { key } = await s.verifyingTicket(sha);
    const verifier = s.verifier();
    const none = evaluated(await verifier.verifyTicket({ ticket: key }));
    expect(criterion(none, "deployment:production")).toMatchObject({
      status: "pending",
      reason: "deployment_missing",
    });
    const deployment = gh.world.deployment(s.repository, { ref: sha, environment: "production" });
    gh.world.deploymentStatus(s.repository, deployment.id, { state: "in_progress" });
    const [running] = await verifier.reevaluate({ repository: s.repository, sha });
    expect(running && criterion(evaluated(running), "deployment:production")).toMatchObject({
      status: "pending",
      reason: "deployment_pending",
    });
    gh.world.deploymentStatus(s.repository, deployment.id, { state: "success" });
    const [done] = await verifier.reevaluate({ repository: s.repository, sha });
    expect(done && evaluated(done).verdict.status).toBe("pass");
  });

  it("a deployment that succeeded and then failed is fail: the decision request is withdrawn, the ticket requeued", async () => {
    const s = scenario(gh, db(), { required_environments: ["production"] });
    const sha = s.commit();
    const deployment = gh.world.deployment(s.repository, { ref: sha, environment: "production" });
    gh.world.deploymentStatus(s.repository, deployment.id, { state: "success" });
    const { key } = await s.verifyingTicket(sha);
    const verifier = s.verifier();
    expect(evaluated(await verifier.verifyTicket({ ticket: key })).verdict.status).toBe("pass");
    const ticketId = (await s.lifecycle.findTicket(key))?.id ?? 0;
    expect(await s.lifecycle.evidence.decisionRequestsOf(ticketId)).toMatchObject([{ status: "open" }]);

    gh.world.deploymentStatus(s.repository, deployment.id, { state: "failure" });
    const [after] = await verifier.reevaluate({ repository: s.repository, sha });
    const evaluation = after && evaluated(after);
    expect(evaluation?.verdict.status).toBe("fail");
    expect(evaluation && criterion(evaluation, "deployment:production")).toMatchObject({
      status: "fail",
      reason: "deployment_failed",
    });
    expect(await s.lifecycle.findTicket(key)).toMatchObject({ state: "todo" });
    expect(await s.lifecycle.evidence.decisionRequestsOf(ticketId)).toMatchObject([{ status: "withdrawn" }]);
    expect((await s.lifecycle.evidence.verdictsOf(ticketId)).map((v) => v.status)).toEqual(["pass", "fail"]);
  });

  it("unmerged with require_merged is pending; merged later (pull_request webhook) passes on re-evaluation", async () => {
    const s = scenario(gh, db(), { require_merged: true });
    const sha = s.commit({ branch: "mc/feature" });
    const { key } = await s.verifyingTicket(sha);
    const verifier = s.verifier();
    const pull = gh.world.pullRequest(s.repository, { head: "mc/feature" });
    const before = evaluated(await verifier.verifyTicket({ ticket: key }));
    expect(criterion(before, "merged")).toMatchObject({ status: "pending", reason: "not_merged" });
    expect(criterion(before, "merged")?.message).toContain(`pull request #${pull.number} is not merged yet`);

    const from = received.length;
    gh.world.mergePullRequest(s.repository, pull.number);
    await gh.webhooks.settle();
    const hooks = received.slice(from).filter((h) => h.event === "pull_request");
    expect(hooks.length).toBeGreaterThan(0);
    const results = (await Promise.all(hooks.map((h) => verifier.onWebhook(h.event, h.payload)))).flat();
    const last = results.at(-1);
    expect(last && evaluated(last).verdict.status).toBe("pass");
    expect(last && criterion(evaluated(last), "merged")?.status).toBe("pass");
  });

  it("a commit reachable from the default branch satisfies require_merged; a push to it re-evaluates the repository", async () => {
    const s = scenario(gh, db(), { require_merged: true });
    const sha = s.commit({ branch: "mc/feature" });
    const { key } = await s.verifyingTicket(sha);
    const verifier = s.verifier();
    const before = evaluated(await verifier.verifyTicket({ ticket: key }));
    expect(criterion(before, "merged")).toMatchObject({ status: "pending", reason: "not_merged" });

    // Someone pushes a commit on top of it to main (no pull request): main now contains it.
    const from = received.length;
    gh.world.commit(s.repository, { branch: "main", parents: [sha], message: "land it" });
    await gh.webhooks.settle();
    const push = received.slice(from).find((h) => h.event === "push");
    expect(push).toBeDefined();
    const [after] = push ? await verifier.onWebhook(push.event, push.payload) : [];
    const evaluation = after && evaluated(after);
    expect(evaluation?.ticket).toBe(key);
    expect(evaluation && criterion(evaluation, "merged")).toMatchObject({
      status: "pass",
      reason: "reachable_from_default_branch",
    });
    expect(evaluation?.verdict.status).toBe("pass");
  });

  it("injected 5xx faults: retried; while they last the verdict is pending with the reason, never pass", async () => {
    const s = scenario(gh, db(), { required_checks: [{ name: "build" }] });
    const sha = s.commit();
    gh.world.checkRun(s.repository, { app: "ci", name: "build", headSha: sha, conclusion: "success" });
    const { key } = await s.verifyingTicket(sha);
    const route = "/repos/{owner}/{repo}/commits/{ref}/check-runs";
    const rule = gh.faults.add({ method: "GET", route, fault: { kind: "status", status: 502 } });
    const verifier = s.verifier();
    const from = gh.requests.entries.length;
    const down = evaluated(await verifier.verifyTicket({ ticket: key }));
    expect(down.verdict.status).toBe("pending");
    expect(criterion(down, "check:build")).toMatchObject({ status: "pending", reason: "github_unavailable" });
    expect(criterion(down, "check:build")?.message).toContain("502 after 3 tries");
    expect(requestsSince(gh, from).byRoute[`GET ${route} 502`]).toBe(3);
    expect(down.stats.retries).toBe(2);
    expect((await s.lifecycle.findTicket(key))?.state).toBe("verifying");

    // A transient fault is retried through.
    gh.faults.remove(rule);
    gh.faults.add({ method: "GET", route, fault: { kind: "status", status: 503 }, times: 1 });
    const [up] = await verifier.reevaluate({ repository: s.repository, sha });
    expect(up && evaluated(up).verdict.status).toBe("pass");
    expect(up && evaluated(up).stats.retries).toBe(1);
  });

  it("injected rate limits: waits as told by retry-after, then pending with the reason while they last", async () => {
    const s = scenario(gh, db(), { required_statuses: ["lint"] });
    const sha = s.commit();
    gh.world.status(s.repository, { sha, state: "success", context: "lint" });
    const { key } = await s.verifyingTicket(sha);
    const route = "/repos/{owner}/{repo}/commits/{ref}/status";
    const rule = gh.faults.add({
      method: "GET",
      route,
      fault: { kind: "secondary-rate-limit", status: 429, retryAfterSeconds: 2 },
    });
    const verifier = s.verifier();
    const limited = evaluated(await verifier.verifyTicket({ ticket: key }));
    expect(criterion(limited, "status:lint")).toMatchObject({ status: "pending", reason: "rate_limited" });
    expect(limited.verdict.status).toBe("pending");
    expect(s.waits).toEqual([2000, 2000]);

    // A limit that asks for longer than the verifier may wait is not waited for.
    gh.faults.remove(rule);
    const long = gh.faults.add({
      method: "GET",
      route,
      fault: { kind: "secondary-rate-limit", retryAfterSeconds: 3600 },
    });
    const [waiting] = await verifier.reevaluate({ repository: s.repository, sha });
    expect(waiting && criterion(evaluated(waiting), "status:lint")?.message).toContain("retry after 3600s");
    expect(s.waits).toHaveLength(2);

    gh.faults.remove(long);
    gh.faults.add({
      method: "GET",
      route,
      fault: { kind: "secondary-rate-limit", retryAfterSeconds: 1 },
      times: 1,
    });
    const [through] = await verifier.reevaluate({ repository: s.repository, sha });
    expect(through && evaluated(through).verdict.status).toBe("pass");
    expect(s.waits.at(-1)).toBe(1000);
  });

  it("re-checking unchanged facts costs 304s only: no new verdict row, nothing republished", async () => {
    const s = scenario(gh, db(), {
      required_checks: [{ name: "build" }],
      required_statuses: ["lint"],
      required_environments: ["staging"],
      require_merged: true,
    });
    const sha = s.commit();
    gh.world.checkRun(s.repository, { app: "ci", name: "build", headSha: sha, status: "in_progress" });
    gh.world.status(s.repository, { sha, state: "success", context: "lint" });
    const { key } = await s.verifyingTicket(sha);
    const verifier = s.verifier();
    const first = evaluated(await verifier.verifyTicket({ ticket: key }));
    expect(first.verdict.status).toBe("pending");
    expect(first.publication).toMatchObject({ ok: true, created: true });

    // Publishing our own check run does not change what is read: check runs are read by name.
    const from = gh.requests.entries.length;
    const again = evaluated(await verifier.verifyTicket({ ticket: key }));
    const seen = requestsSince(gh, from);
    expect(again.changed).toBe(false);
    // Every read was conditional, and nothing changed, so every read is a 304.
    expect(again.stats.conditional).toBe(seen.gets);
    expect(seen.byRoute).toEqual({
      "GET /repos/{owner}/{repo} 304": 1,
      "GET /repos/{owner}/{repo}/contents/{path} 304": 1,
      "GET /repos/{owner}/{repo}/commits/{ref} 304": 1,
      // Reachability from the default branch, and the new work on top of the attempt's base.
      "GET /repos/{owner}/{repo}/compare/{basehead} 304": 2,
      "GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls 304": 1,
      "GET /repos/{owner}/{repo}/commits/{ref}/check-runs 304": 1,
      "GET /repos/{owner}/{repo}/commits/{ref}/status 304": 1,
      "GET /repos/{owner}/{repo}/deployments 304": 1,
    });
    expect(again.stats).toMatchObject({ requests: seen.gets, notModified: seen.notModified, retries: 0 });
    expect(seen.gets).toBe(9);
    expect(seen.notModified).toBe(9);
    expect(seen.mutations).toEqual([]);
    const ticketId = (await s.lifecycle.findTicket(key))?.id ?? 0;
    const history = await s.lifecycle.evidence.verdictsOf(ticketId);
    expect(history).toHaveLength(1);
    expect(history[0]?.checks).toBe(2);
  });

  it("a check run GitHub created but the database never recorded (a crash in between) is updated, never duplicated", async () => {
    const s = scenario(gh, db(), { required_checks: [{ name: "build" }] });
    const sha = s.commit();
    const { key } = await s.verifyingTicket(sha);
    const verifier = s.verifier();
    // The first publication fails: the verdict is stored, unpublished.
    gh.faults.add({
      method: "POST",
      route: "/repos/{owner}/{repo}/check-runs",
      fault: { kind: "status", status: 502 },
      times: 1,
    });
    const first = evaluated(await verifier.verifyTicket({ ticket: key }));
    expect(first.publication).toMatchObject({ ok: false });
    // A publication that reached GitHub while its process died before recording it.
    const { data: orphan } = await s.octokit.request("POST /repos/{owner}/{repo}/check-runs", {
      owner: "acme",
      repo: s.repository.split("/")[1] ?? "",
      name: EVIDENCE_CHECK_NAME,
      head_sha: sha,
      status: "in_progress",
    });

    gh.world.checkRun(s.repository, { app: "ci", name: "build", headSha: sha, conclusion: "success" });
    const [again] = await verifier.reevaluate({ repository: s.repository, sha });
    expect(again && evaluated(again).publication).toMatchObject({
      ok: true,
      created: false,
      checkRunId: orphan.id,
    });
    const ours = gh.world.checkRunsOf(s.repository, sha).filter((r) => r.name === EVIDENCE_CHECK_NAME);
    expect(ours.map((r) => [r.id, r.conclusion])).toEqual([[orphan.id, "success"]]);
  });

  it("a first verdict costs the policy, the commit, its ancestry from the base and the required check (read by name), then creates its check run", async () => {
    const s = scenario(gh, db(), { required_checks: [{ name: "build", app: "ci" }] });
    const sha = s.commit();
    // Other apps' runs on the commit are not read at all.
    gh.world.checkRun(s.repository, { app: "ci", name: "lint", headSha: sha, conclusion: "failure" });
    gh.world.checkRun(s.repository, { app: "ci", name: "build", headSha: sha, conclusion: "success" });
    const { key } = await s.verifyingTicket(sha);
    const from = gh.requests.entries.length;
    const first = evaluated(await s.verifier().verifyTicket({ ticket: key }));
    expect(first.verdict.status).toBe("pass");
    const seen = requestsSince(gh, from);
    expect(seen.byRoute).toEqual({
      "GET /repos/{owner}/{repo}/contents/{path} 200": 1,
      "GET /repos/{owner}/{repo}/commits/{ref} 200": 1,
      "GET /repos/{owner}/{repo}/commits/{ref}/check-runs 200": 1,
      "GET /repos/{owner}/{repo}/compare/{basehead} 200": 1,
      "POST /repos/{owner}/{repo}/check-runs 201": 1,
    });
    // The failing "lint" run was never read: only the required name counts.
    expect(criterion(first, "check:build")).toMatchObject({ status: "pass" });
  });

  it("an invalid policy on the default branch leaves the verdict pending and names the wrong key; a branch's policy is ignored", async () => {
    const s = scenario(gh, db(), "evidence:\n  required_checks:\n    - name: build\n  require_merge: true\n");
    const sha = s.commit();
    // A permissive policy on the work branch must not be read.
    gh.world.files(s.repository, { ".github/mission-control.yml": "evidence: {}\n" }, "mc/work");
    const { key } = await s.verifyingTicket(sha);
    const evaluation = evaluated(await s.verifier().verifyTicket({ ticket: key }));
    expect(evaluation.verdict.status).toBe("pending");
    const policy = criterion(evaluation, "policy");
    expect(policy).toMatchObject({ status: "pending", reason: "policy_invalid" });
    expect(policy?.message).toContain("evidence: unknown key(s) require_merge");
    expect(policy?.message).toContain(":.github/mission-control.yml (default branch)");
  });

  it("a verdict pending longer than the configured time is reported for the operator", async () => {
    const s = scenario(gh, db(), { required_checks: [{ name: "build" }] });
    const sha = s.commit();
    const { key, attemptId } = await s.verifyingTicket(sha);
    const verifier = s.verifier();
    evaluated(await verifier.verifyTicket({ ticket: key }));
    s.clock.advance(30 * 60_000);
    // Still pending (a different reason would be a new row, but the pending time carries over).
    gh.world.checkRun(s.repository, { app: "ci", name: "build", headSha: sha, status: "in_progress" });
    evaluated(await verifier.verifyTicket({ ticket: key }));
    expect(await verifier.pendingTooLong({ timeoutMinutes: 60 })).toEqual([]);
    s.clock.advance(31 * 60_000);
    const report = await verifier.pendingTooLong({ timeoutMinutes: 60 });
    expect(report).toMatchObject([
      {
        ticket: key,
        attemptId,
        sha,
        pendingMinutes: 61,
        waitingFor: ["check:build: still in_progress (no conclusion yet)"],
        fingerprint: `evidence_pending_too_long:${key}:${attemptId}`,
      },
    ]);
  });
});
