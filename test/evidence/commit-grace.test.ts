import { afterAll, beforeAll, expect, it } from "vitest";
import { reevaluationPass } from "../../src/app/evidence/reevaluate.js";
import { EVIDENCE_CHECK_NAME } from "../../src/config/schema.js";
import type { Evaluation, VerifyResult } from "../../src/evidence/verifier.js";
import type { GitHubStandin } from "../../src/github-standin/index.js";
import { describeOnDriver } from "../helpers/databases.js";
import { type Scenario, scenario, startWorld } from "./support.js";

/**
 * The worker claims completion once `git ls-remote` shows its commit on the remote, but GitHub's API
 * can lag a push: a commit GitHub does not show yet is pending for `missing_commit_grace_seconds`
 * after the completion (a re-check scheduled for its end), and fails after that.
 */

let world: Awaited<ReturnType<typeof startWorld>>;
let gh: GitHubStandin;
beforeAll(async () => {
  world = await startWorld();
  gh = world.gh;
});
afterAll(async () => world.stop());

const GRACE_MS = 300_000;

function evaluated(result: VerifyResult | undefined): Evaluation {
  if (!result) throw new Error("expected an evaluation, got none");
  if (!result.ok) throw new Error(`expected an evaluation, got ${result.code}: ${result.message}`);
  return result.evaluation;
}

const commitOf = (evaluation: Evaluation) => evaluation.verdict.criteria.find((c) => c.id === "commit");

let shas = 0;
/** A sha the stand-in does not know (yet): the commit a worker pushed that GitHub's API does not show. */
function unseenSha(): string {
  shas += 1;
  return `c0ffee${String(shas).padStart(34, "0")}`;
}

/** Pushes the commit `sha` to the ticket branch on the stand-in (GitHub catching up with the push). */
function appear(s: Scenario, sha: string): void {
  if (!gh.world.repo(s.repository).branches.has("mc/work")) gh.world.branch(s.repository, "mc/work");
  gh.world.commit(s.repository, { branch: "mc/work", sha, message: "work", files: { "src/a.ts": "1\n" } });
}

describeOnDriver("a commit GitHub does not show yet (over HTTP against the GitHub stand-in)", ({ db }) => {
  it("is pending right after the completion, the ticket stays verifying; once the commit appears a re-evaluation passes it", async () => {
    const s = scenario(gh, db(), { required_checks: [{ name: "build", app: "ci" }] });
    const sha = unseenSha();
    const { key } = await s.verifyingTicket(sha);
    const verifier = s.verifier(); // the grace by default: missing_commit_grace_seconds' default, 300 s
    const createCheckRun = { route: "POST /repos/{owner}/{repo}/check-runs" };
    const checkRunsBefore = gh.requests.count(createCheckRun);

    const early = evaluated(await verifier.verifyTicket({ ticket: key }));
    expect(early.verdict.status).toBe("pending");
    expect(commitOf(early)).toMatchObject({ status: "pending", reason: "commit_not_visible_yet" });
    expect(commitOf(early)?.message).toContain("waiting up to 300 s after the completion");
    // Requirements are not judged on a commit GitHub does not show (their facts were not read).
    expect(early.verdict.criteria.map((c) => c.id)).toEqual(["attempt", "evidence", "policy", "commit"]);
    expect(early.stored).toMatchObject({ status: "pending", ticketOutcome: "none" });
    expect((await s.lifecycle.findTicket(key))?.state).toBe("verifying");
    // GitHub refuses a check run on a commit it does not know: none is attempted until it is there.
    expect(early.publication).toBeNull();
    expect(gh.requests.count(createCheckRun)).toBe(checkRunsBefore);

    // GitHub catches up within the grace; its CI starts. The re-check sees the commit, and the
    // check run is published as in progress while the required check runs.
    s.clock.advance(20_000);
    appear(s, sha);
    const run = gh.world.checkRun(s.repository, {
      app: "ci",
      name: "build",
      headSha: sha,
      status: "in_progress",
    });
    const seen = evaluated((await verifier.reevaluate({ repository: s.repository, sha }))[0]);
    expect(commitOf(seen)).toMatchObject({ status: "pass", reason: "commit_found" });
    expect(seen.verdict.status).toBe("pending");
    expect(seen.verdict.criteria.find((c) => c.id === "check:build")?.reason).toBe("check_running");
    const ours = () => gh.world.checkRunsOf(s.repository, sha).filter((r) => r.name === EVIDENCE_CHECK_NAME);
    expect(ours()).toMatchObject([{ status: "in_progress", conclusion: null }]);

    // Long after the grace: a commit GitHub shows is never failed for having been late.
    s.clock.advance(GRACE_MS);
    gh.world.completeCheckRun(s.repository, run.id, "success");
    const passed = evaluated((await verifier.reevaluate({ repository: s.repository, sha }))[0]);
    expect(passed.verdict.status).toBe("pass");
    expect(passed.stored.ticketOutcome).toBe("decision_requested");
    expect(ours()).toMatchObject([{ status: "completed", conclusion: "success" }]);
    expect((await s.lifecycle.findTicket(key))?.state).toBe("verifying");
  });

  it("a commit that never appears fails once the clock passes the grace: the ticket goes back to todo", async () => {
    const s = scenario(gh, db(), {});
    const sha = unseenSha();
    const { key, attemptId } = await s.verifyingTicket(sha);
    const verifier = s.verifier({ missingCommitGraceMs: GRACE_MS });
    const first = evaluated(await verifier.verifyTicket({ ticket: key }));
    expect(commitOf(first)?.reason).toBe("commit_not_visible_yet");

    // Re-checks within the grace keep the one pending outcome (no new verdict row).
    s.clock.advance(GRACE_MS - 1);
    const still = evaluated(await verifier.verifyTicket({ ticket: key }));
    expect(still.changed).toBe(false);
    expect(commitOf(still)?.reason).toBe("commit_not_visible_yet");

    s.clock.advance(1);
    const failed = evaluated(await verifier.verifyTicket({ ticket: key }));
    expect(failed.verdict.status).toBe("fail");
    expect(commitOf(failed)).toMatchObject({ status: "fail", reason: "commit_not_found" });
    expect(commitOf(failed)?.message).toContain("still not found 300 s after the completion");
    expect(failed.stored.ticketOutcome).toBe("returned_to_todo");
    const ticket = await s.lifecycle.findTicket(key);
    expect(ticket).toMatchObject({ state: "todo", currentAttemptId: null });
    const verdicts = await s.lifecycle.evidence.verdictsOf(ticket?.id ?? -1);
    expect(verdicts.map((v) => [v.attemptId, v.status])).toEqual([
      [attemptId, "pending"],
      [attemptId, "fail"],
    ]);
  });

  it("through the re-evaluation worker: the completion's request leaves it pending and schedules a re-check that fails it when due", async () => {
    const s = scenario(gh, db(), {});
    const sha = unseenSha();
    const { key, attemptId } = await s.verifyingTicket(sha);
    const deps = s.reevaluationWorker(s.verifier({ missingCommitGraceMs: GRACE_MS }));
    const completedAt = (await s.lifecycle.findAttempt(attemptId))?.endedAt;
    if (!completedAt) throw new Error("set-up: the attempt has no end time");

    // The completion's own request (due at once) runs the verifier: pending, and a re-check is
    // recorded that no worker takes before the grace ends.
    expect(await reevaluationPass(deps)).toEqual({ taken: 1, done: 1, failed: 0 });
    const ticket = await s.lifecycle.findTicket(key);
    expect((await s.lifecycle.evidence.verdictsOf(ticket?.id ?? -1)).map((v) => v.status)).toEqual([
      "pending",
    ]);
    const scheduled = await s.store.reevaluations.findByDelivery(`commit-grace:${attemptId}`);
    expect(scheduled).toMatchObject({
      event: "commit_grace_ended",
      repository: s.repository,
      shas: [sha],
      wholeRepository: false,
      doneAt: null,
    });
    expect(scheduled?.nextAttemptAt.getTime()).toBe(completedAt.getTime() + GRACE_MS);
    expect(await s.store.reevaluations.backlog()).toBe(1);

    // Not due yet: nothing is taken, the verdict stays pending, the ticket verifying.
    s.clock.advance(completedAt.getTime() + GRACE_MS - 1 - s.clock.now().getTime());
    expect(await reevaluationPass(deps)).toEqual({ taken: 0, done: 0, failed: 0 });
    expect((await s.lifecycle.findTicket(key))?.state).toBe("verifying");

    // Due at the grace's end: taken, the commit is still not found, the verdict fails.
    s.clock.advance(1);
    expect(await reevaluationPass(deps)).toEqual({ taken: 1, done: 1, failed: 0 });
    const verdicts = await s.lifecycle.evidence.verdictsOf(ticket?.id ?? -1);
    expect(verdicts.map((v) => v.status)).toEqual(["pending", "fail"]);
    expect(verdicts.at(-1)?.criteria).toContainEqual(
      expect.objectContaining({ id: "commit", status: "fail", reason: "commit_not_found" }),
    );
    expect(await s.lifecycle.findTicket(key)).toMatchObject({ state: "todo", currentAttemptId: null });
    expect(await s.store.reevaluations.backlog()).toBe(0);
    // The failed completion reaches the orchestrator's inbox like any failed verdict.
    const items = await s.lifecycle.inbox.ofTicket(ticket?.id ?? -1);
    expect(items.map((item) => item.kind)).toContain("completion_failed");
  });

  it("a commit that appears within the grace passes on its webhook; the scheduled re-check later changes nothing", async () => {
    const s = scenario(gh, db(), {});
    const sha = unseenSha();
    const { key, attemptId } = await s.verifyingTicket(sha);
    const verifier = s.verifier({ missingCommitGraceMs: GRACE_MS });
    const deps = s.reevaluationWorker(verifier);
    expect(await reevaluationPass(deps)).toEqual({ taken: 1, done: 1, failed: 0 });

    s.clock.advance(5_000);
    appear(s, sha);
    // The push webhook for the sha (what the app records for it) re-evaluates: pass.
    const [passed] = await verifier.onWebhook("push", {
      repository: { full_name: s.repository, default_branch: "main" },
      ref: "refs/heads/mc/work",
      after: sha,
    });
    expect(evaluated(passed).verdict.status).toBe("pass");

    s.clock.advance(GRACE_MS);
    expect(await reevaluationPass(deps)).toEqual({ taken: 1, done: 1, failed: 0 });
    const ticket = await s.lifecycle.findTicket(key);
    expect(ticket).toMatchObject({ state: "verifying", currentAttemptId: attemptId });
    const verdicts = await s.lifecycle.evidence.verdictsOf(ticket?.id ?? -1);
    expect(verdicts.map((v) => v.status)).toEqual(["pending", "pass"]);
  });
});
