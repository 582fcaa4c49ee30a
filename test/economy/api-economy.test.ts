import { afterEach, beforeEach, expect, it } from "vitest";
import { type AppHarness, startApp } from "../app/support/harness.js";
import { describeOnDriver } from "../helpers/databases.js";
import { Ledger, renderLedger, totalsOf } from "./support/ledger.js";
import { givenRepository, REPO, runLifecycle } from "./support/lifecycle-run.js";

/**
 * Issue 20's goals for one ticket's whole lifecycle, and for a re-check of unchanged evidence.
 * Content-creating requests are every mutation (POST, PATCH, PUT, DELETE): GitHub's secondary limit
 * (80 a minute, 500 an hour) counts updates as well as creations, so an issue update costs as much
 * as a comment.
 */
const GOALS = { contentWithoutQuestion: 7, reads: 12, recheckCounted: 0 };
/**
 * A ticket with a question costs 12 content-creating requests, as measured. Issue 20 asked for <= 10;
 * that goal conflicts with DESIGN.md and is not met: the design has a `/mc` command acknowledged with
 * a reaction (1 request), and every verdict, pending ones included, published as the check run
 * `Mission Control / evidence` (created pending while CI runs, then updated with the final verdict:
 * 1 more). Pinned, so that a change in either direction shows.
 */
const CONTENT_WITH_QUESTION = 12;
/** The issue follows the ticket: one update per state it shows (in_progress, needs_input, in_progress again, verifying, done). */
const ISSUE_UPDATES = 5;

/**
 * API economy: what one ticket costs in GitHub requests, counted from the stand-in's request log.
 * The real app (Probot over HTTP, signed webhooks) with its mirror and re-evaluation workers, the
 * real dispatcher, worker store, verifier and orchestrator take one ticket through
 * create → claim → needs-input → answer → claim → complete → verified → done.
 */
describeOnDriver("API economy of one ticket", (ctx) => {
  let app: AppHarness;
  beforeEach(async () => {
    app = await startApp(ctx.db());
    givenRepository(app);
  });
  afterEach(async () => app?.stop());

  it(`with a question: ${CONTENT_WITH_QUESTION} content-creating requests (issue 20's ≤ 10 conflicts with the design), ≤ ${GOALS.reads} reads; re-checking unchanged evidence costs only 304s`, async () => {
    const recheck = new Ledger(app.gh);
    const run = await runLifecycle(app, {
      // A commit status the policy does not require arrives for the verified commit: its webhook
      // re-evaluates the evidence, whose facts have not changed.
      whileVerified: async (sha) => {
        recheck.skip();
        app.gh.world.status(REPO, { sha, context: "coverage", state: "success" });
        await app.settle();
        recheck.mark("status webhook → re-check");
      },
    });
    console.log(renderLedger(`API economy: one lifecycle of ${run.key} [${ctx.driver}]`, run.ledger));
    console.log(renderLedger("re-check of unchanged evidence", recheck));

    // The lifecycle really happened: the ticket is done, its issue closed, the verdict published.
    expect((await app.lifecycle.findTicket(run.key))?.state).toBe("done");
    expect(app.gh.world.issueOf(REPO, run.issue).state).toBe("closed");
    expect(app.gh.world.checkRunsOf(REPO, run.sha).map((c) => [c.name, c.conclusion])).toContainEqual([
      "Mission Control / evidence",
      "success",
    ]);
    const work = totalsOf(run.ledger.work());
    expect(work.mutations).toBe(CONTENT_WITH_QUESTION);
    // What they are: the issue, the dispatch prompt, the question, the 👀 reaction to `/mc answer`
    // and its reply, the check run (created pending while CI runs, updated with the verdict), and
    // one issue update per state shown.
    expect(mutationRoutes(run.ledger)).toEqual(
      [
        "POST /repos/{owner}/{repo}/issues",
        "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches",
        "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
        "POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions",
        "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
        "POST /repos/{owner}/{repo}/check-runs",
        "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}",
        ...Array(ISSUE_UPDATES).fill("PATCH /repos/{owner}/{repo}/issues/{issue_number}"),
      ].sort(),
    );
    expect(work.reads).toBeLessThanOrEqual(GOALS.reads);
    // The re-check evaluated the evidence again (the verdict counts a second check), read every
    // fact conditionally, and GitHub answered 304 every time.
    expect((await app.lifecycle.evidence.latestVerdictOf(run.attemptId))?.checks).toBe(2);
    const rechecked = totalsOf(recheck.all());
    expect(rechecked.notModified).toBeGreaterThan(0);
    expect(rechecked.counted).toBe(GOALS.recheckCounted);
  });

  for (const ciBeforeCompletion of [false, true])
    it(`without a question, CI done ${ciBeforeCompletion ? "before" : "after"} the completion: ≤ ${GOALS.contentWithoutQuestion} content-creating requests and ≤ ${GOALS.reads} reads`, async () => {
      const run = await runLifecycle(app, { question: false, ciBeforeCompletion });
      console.log(
        renderLedger(
          `API economy: ${run.key} without a question, CI ${ciBeforeCompletion ? "first" : "last"} [${ctx.driver}]`,
          run.ledger,
        ),
      );
      expect((await app.lifecycle.findTicket(run.key))?.state).toBe("done");
      expect(app.gh.world.checkRunsOf(REPO, run.sha).map((c) => [c.name, c.conclusion])).toContainEqual([
        "Mission Control / evidence",
        "success",
      ]);
      const work = totalsOf(run.ledger.work());
      // The issue, the dispatch prompt and the check run; the issue's `in_progress`, `verifying` and
      // `done`. With CI done first the check run is created with its verdict; with CI still running
      // it is created pending and updated with the verdict.
      expect({ creates: work.creates, updates: work.updates }).toEqual({
        creates: 3,
        updates: ciBeforeCompletion ? 3 : 4,
      });
      expect(work.mutations).toBeLessThanOrEqual(GOALS.contentWithoutQuestion);
      expect(work.reads).toBeLessThanOrEqual(GOALS.reads);
    });
});

function mutationRoutes(ledger: Ledger): string[] {
  return ledger
    .work()
    .filter((r) => r.mutation)
    .map((r) => r.route ?? "")
    .sort();
}
