import { afterEach, beforeEach, expect, it } from "vitest";
import { describeEachDriver } from "../helpers/databases.js";
import { type AppHarness, startApp } from "../app/support/harness.js";
import { Ledger, renderLedger, totalsOf } from "./support/ledger.js";
import { givenRepository, REPO, runLifecycle } from "./support/lifecycle-run.js";

/** Issue 10's goals for one ticket's whole lifecycle, and for a re-check of unchanged evidence. */
const GOALS = { mutations: 6, reads: 12, recheckCounted: 0 };
/**
 * The issue follows the ticket: one update per state it shows (in_progress, needs_input, in_progress
 * again after the answer, verifying, done). These come on top of the goal's 6, which the
 * content-creating requests (issue, question, reaction, reply, check run, dispatch prompt) meet:
 * see docs/benchmarks.md, "API economy".
 */
const ISSUE_UPDATES = 5;
/**
 * The completion is verified at once (its CI may have finished before the claim), so the evidence
 * check run is created pending at the claim and updated once with the verdict.
 */
const CHECK_RUN_UPDATES = 1;

/**
 * API economy: what one ticket costs in GitHub requests, counted from the stand-in's request log.
 * The real app (Probot over HTTP, signed webhooks) with its mirror and re-evaluation workers, the
 * real dispatcher, worker store, verifier and orchestrator take one ticket through
 * create → claim → needs-input → answer → claim → complete → verified → done.
 */
describeEachDriver("API economy of one ticket", (ctx) => {
  let app: AppHarness;
  beforeEach(async () => {
    app = await startApp(ctx.db());
    givenRepository(app);
  });
  afterEach(async () => app?.stop());

  it(`one lifecycle: ≤ ${GOALS.mutations} creating requests plus one issue update per state shown, ≤ ${GOALS.reads} reads; re-checking unchanged evidence costs only 304s`, async () => {
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
    expect(work.creates).toBeLessThanOrEqual(GOALS.mutations);
    expect(work.updates).toBe(ISSUE_UPDATES + CHECK_RUN_UPDATES);
    expect(
      run.ledger
        .work()
        .filter((r) => r.mutation && r.method !== "POST")
        .map((r) => r.route)
        .sort(),
    ).toEqual([
      ...Array(CHECK_RUN_UPDATES).fill("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}"),
      ...Array(ISSUE_UPDATES).fill("PATCH /repos/{owner}/{repo}/issues/{issue_number}"),
    ]);
    expect(work.reads).toBeLessThanOrEqual(GOALS.reads);
    // The re-check evaluated the evidence again (the verdict counts a second check), read every
    // fact conditionally, and GitHub answered 304 every time.
    expect((await app.lifecycle.evidence.latestVerdictOf(run.attemptId))?.checks).toBe(2);
    const rechecked = totalsOf(recheck.all());
    expect(rechecked.notModified).toBeGreaterThan(0);
    expect(rechecked.counted).toBe(GOALS.recheckCounted);
  });

  it(`without a question, CI done before the completion: ≤ ${GOALS.mutations} mutations and ≤ ${GOALS.reads} reads`, async () => {
    const run = await runLifecycle(app, { question: false, ciBeforeCompletion: true });
    console.log(
      renderLedger(`API economy: ${run.key} without a question, CI first [${ctx.driver}]`, run.ledger),
    );
    expect((await app.lifecycle.findTicket(run.key))?.state).toBe("done");
    expect(app.gh.world.checkRunsOf(REPO, run.sha).map((c) => [c.name, c.conclusion])).toContainEqual([
      "Mission Control / evidence",
      "success",
    ]);
    const work = totalsOf(run.ledger.work());
    // The issue, the dispatch prompt and the check run (created with its verdict: no update);
    // the issue's `in_progress`, `verifying` and `done`.
    expect({ creates: work.creates, updates: work.updates }).toEqual({ creates: 3, updates: 3 });
    expect(work.creates + work.updates).toBeLessThanOrEqual(GOALS.mutations);
    expect(work.reads).toBeLessThanOrEqual(GOALS.reads);
  });
});
