import { stringify } from "yaml";
import type { MirrorDeps } from "../../../src/app/mirror/worker.js";
import { runDispatchCycle } from "../../../src/dispatch/cycle.js";
import type { CompletionEvidence } from "../../../src/domain/completion-evidence.js";
import { systemClock } from "../../../src/lifecycle/index.js";
import { runOrchestratorPass } from "../../../src/orchestrator/pass.js";
import { createWorkerStore } from "../../../src/worker/store.js";
import { mirrorUntilIdle } from "../../app/support/drain.js";
import type { AppHarness } from "../../app/support/harness.js";
import { testDispatcher } from "../../builders/dispatch.js";
import { Ledger } from "./ledger.js";

export const REPO = "acme/widgets";
const LEASE_MS = 600_000;
const DISPATCH_WORKFLOW = "mission-control-dispatch.yml";

/**
 * `acme/widgets` as a team would have it: a policy on the default branch that requires the CI
 * check `ci/test` (from the `ci` app) and the worker's own tests, the dispatch workflow the app
 * prompts, and bob with write permission.
 */
export function givenRepository(app: AppHarness): void {
  app.gh.world.app({ slug: "ci", name: "CI" });
  app.gh.world.repository({
    owner: "acme",
    name: "widgets",
    files: {
      "README.md": "# widgets\n",
      ".github/mission-control.yml": stringify({
        evidence: { required_checks: [{ name: "ci/test", app: "ci" }], require_tests: true },
      }),
    },
    collaborators: { bob: "write" },
  });
  app.gh.world.installation("ci", { account: "acme", repositories: [REPO] });
  app.gh.world.workflow(REPO, { path: `.github/workflows/${DISPATCH_WORKFLOW}` });
}

/** The mirror worker as `npm start` runs it (prompt dispatch on), in this process. */
export function mirrorDeps(app: AppHarness): MirrorDeps {
  return {
    issues: app.lifecycle.issues,
    store: app.store,
    clock: systemClock,
    octokitFor: app.runtime.octokitFor,
    worker: "economy-mirror",
    ticketLabel: "mission-control",
    retry: { baseMs: 1, capMs: 5 },
    leaseMs: 60_000,
    batchLimit: 50,
    dispatch: { workflow: DISPATCH_WORKFLOW, intervalMs: 60_000 },
  };
}

export interface LifecycleRun {
  readonly key: string;
  readonly issue: number;
  readonly sha: string;
  /** The attempt whose completion was verified. */
  readonly attemptId: string;
  readonly ledger: Ledger;
}

/**
 * One ticket from creation to `done`, every step as production does it, with the mirror worker
 * run to quiescence after each step (the worst case: no two steps' changes share an issue update).
 * The test arranges GitHub through `gh.world` (no HTTP), so every request the stand-in logs is the
 * app's own: its webhook handlers, its mirror and its evidence re-evaluation worker.
 */
export async function runLifecycle(
  app: AppHarness,
  options: {
    /** Runs once the verdict passed and before the orchestrator decides; its requests are left out. */
    readonly whileVerified?: (sha: string) => Promise<void>;
    /** The agent asks a question and bob answers it (steps 3–5); default true. */
    readonly question?: boolean;
    /** CI concludes before the worker claims completion (the worker's own tests ran longer); default false. */
    readonly ciBeforeCompletion?: boolean;
  } = {},
): Promise<LifecycleRun> {
  const { lifecycle, gh } = app;
  const ledger = new Ledger(gh);
  const mirror = mirrorDeps(app);
  const quiesce = async () => {
    await app.settle();
    await mirrorUntilIdle(mirror);
    await app.settle();
  };
  const dispatcher = testDispatcher(lifecycle, { settings: { attemptLeaseMs: LEASE_MS } });
  const store = createWorkerStore((work) => work(lifecycle), {
    leaseMs: LEASE_MS,
    backoff: { baseMs: 10_000, capMs: 60_000 },
  });
  const agent = { kind: "worker", id: "agent" } as const;

  // 1. create (as `mctl ticket create` does); the mirror opens its issue and prompts dispatch.
  const created = await lifecycle.createTicket(
    { repository: REPO, title: "Add retries to the fetcher", body: "Retry 5xx answers with back-off." },
    { kind: "human", id: "bob" },
  );
  if (!created.ok) throw new Error(`create: ${created.message}`);
  const key = created.ticket.key;
  await quiesce();
  ledger.mark("create + mirror");

  // 2. claim: one dispatch cycle; the launched worker takes its attempt.
  let attempt = await claimAndStart(dispatcher, store, key);
  await quiesce();
  ledger.mark("claim + mirror");
  const issue = (await lifecycle.findTicket(key))?.issueNumber;
  if (!issue) throw new Error("the mirror did not link an issue");

  if (options.question !== false) {
    // 3. needs-input: the agent asks through `mctl signal needs-input` (the worker's signal path).
    const asked = await store.signal({
      kind: "needs_input",
      attemptId: attempt,
      question: "Which status codes should be retried?",
    });
    if (!asked.ok) throw new Error(`needs-input: ${asked.message}`);
    await quiesce();
    ledger.mark("needs-input + mirror");

    // 4. answer: bob comments `/mc answer …` on the issue (a real signed issue_comment webhook).
    gh.world.comment(REPO, issue, { author: "bob", body: "/mc answer 502, 503 and 504; not 500." });
    await quiesce();
    ledger.mark("/mc answer + mirror");

    // 5. the next cycle requeues the answered ticket and claims it again; the new worker starts.
    attempt = await claimAndStart(dispatcher, store, key);
    await quiesce();
    ledger.mark("requeue + claim + mirror");
  }

  // 6. the agent commits and pushes (a push webhook); CI starts its check run (a check_run webhook).
  // Both are recorded for re-evaluation; nothing is verifying yet, so neither reads GitHub.
  const base = gh.world.branch(REPO, `mission-control/${key}`);
  const sha = gh.world.commit(REPO, {
    branch: `mission-control/${key}`,
    message: "Retry 502/503/504 with back-off",
    files: { "src/fetch.ts": "export const retries = 3;\n" },
  }).sha;
  const ci = gh.world.checkRun(REPO, { app: "ci", name: "ci/test", headSha: sha, status: "in_progress" });
  await quiesce();
  ledger.mark("push + CI starts");
  // 8. CI passes: the check_run webhook queues a re-evaluation; the verifier passes and publishes.
  const ciPasses = async () => {
    gh.world.completeCheckRun(REPO, ci.id, "success");
    await quiesce();
    ledger.mark("CI passes → verified + mirror");
  };
  if (options.ciBeforeCompletion) await ciPasses();

  // 7. the worker's own tests pass; it claims completion with the evidence it collected from git.
  const completed = await store.complete({
    attemptId: attempt,
    actor: agent,
    evidence: evidence(key, attempt, sha, base),
  });
  if (!completed.result.ok) throw new Error(`complete: ${completed.result.message}`);
  await quiesce();
  ledger.mark("complete + mirror");
  if (!options.ciBeforeCompletion) await ciPasses();
  const verdict = await lifecycle.evidence.latestVerdictOf(attempt);
  if (verdict?.status !== "pass") throw new Error(`verification: ${verdict?.status ?? "no verdict"}`);
  if (options.whileVerified) {
    await options.whileVerified(sha);
    ledger.skip();
  }

  // 9. the orchestrator's decision: verified → done; the mirror closes the issue.
  const pass = await runOrchestratorPass({
    inbox: lifecycle.inbox,
    setting: () => lifecycle.tasks.setting("orchestrate"),
    rules: { reviewRequired: false, retryFailedCompletions: true },
    holder: "economy-orchestrator",
    leaseMs: 60_000,
    batchSize: 10,
  });
  if (pass.status !== "completed" || pass.outcomes[0]?.outcome !== "acted")
    throw new Error(`orchestrator: ${JSON.stringify(pass)}`);
  await quiesce();
  ledger.mark("orchestrator → done + mirror");
  return { key, issue, sha, attemptId: attempt, ledger };
}

async function claimAndStart(
  dispatcher: ReturnType<typeof testDispatcher>,
  store: ReturnType<typeof createWorkerStore>,
  key: string,
): Promise<string> {
  const before = dispatcher.launched.length;
  const cycle = await runDispatchCycle(dispatcher);
  const launch = dispatcher.launched.slice(before).find((l) => l.ticket === key);
  if (!launch) throw new Error(`dispatch did not launch ${key}: ${JSON.stringify(cycle.decisions)}`);
  const started = await store.start({ attemptId: launch.attempt, launchKey: launch.launchKey, ticket: key });
  if (!started.ok) throw new Error(`start: ${started.message}`);
  return launch.attempt;
}

/** What `mctl worker run` records from git after the agent exits: HEAD pushed, clean tree, tests passed. */
function evidence(ticket: string, attemptId: string, sha: string, baseSha: string): CompletionEvidence {
  return {
    version: 1,
    attemptId,
    ticket,
    commitSha: sha,
    branch: `mission-control/${ticket}`,
    baseSha,
    workingTreeClean: true,
    pushed: true,
    remote: { name: "origin", url: "https://github.com/acme/widgets.git", sha },
    tests: { status: "passed", command: ["npm", "test"], exitCode: 0, summary: "42 passed", durationMs: 900 },
    agent: { exitCode: 0, durationMs: 60_000 },
    collectedAt: new Date().toISOString(),
  };
}
