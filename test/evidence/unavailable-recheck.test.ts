import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { reevaluationPass } from "../../src/app/evidence/reevaluate.js";
import type { GitHubStandin } from "../../src/github-standin/index.js";
import { describeOnDriver } from "../helpers/databases.js";
import { type Scenario, scenario, startWorld } from "./support.js";

/**
 * A read GitHub failed after the verifier's retries (5xx, a rate limit) leaves the verdict pending,
 * and once CI has concluded no webhook comes to re-evaluate it: the verdict is recorded with a
 * re-check for later (after `retry-after` or the limit's reset, at least a minute), which the app's
 * re-evaluation worker runs when due. Found by the 1,000-ticket soak: with the installation's rate
 * limit exhausted, verified-looking tickets waited for nothing.
 */

let world: Awaited<ReturnType<typeof startWorld>>;
let gh: GitHubStandin;
beforeAll(async () => {
  world = await startWorld();
  gh = world.gh;
});
afterAll(async () => world.stop());
afterEach(() => gh.faults.clear());

const POLICY_READ = { method: "GET", route: "/repos/{owner}/{repo}/contents/{path}" };

async function statusesOf(s: Scenario, key: string) {
  const ticket = await s.lifecycle.findTicket(key);
  return (await s.lifecycle.evidence.verdictsOf(ticket?.id ?? -1)).map((v) => v.status);
}

describeOnDriver("a verdict GitHub's failures left pending is checked again", ({ db }) => {
  it("5xx after the retries: pending with the reason, a re-check a minute later passes it once GitHub answers", async () => {
    const s = scenario(gh, db(), {});
    const { key, attemptId } = await s.verifyingTicket(s.commit());
    const deps = s.reevaluationWorker();
    gh.faults.add({ ...POLICY_READ, fault: { kind: "status", status: 503 } });

    // The completion's own request: the policy cannot be read, the verdict is pending.
    expect(await reevaluationPass(deps)).toEqual({ taken: 1, done: 1, failed: 0 });
    expect(await statusesOf(s, key)).toEqual(["pending"]);
    const due = new Date(s.clock.now().getTime() + 60_000);
    const recheck = await s.store.reevaluations.findByDelivery(
      `github_unavailable:${attemptId}:${due.getTime() / 60_000}`,
    );
    expect(recheck).toMatchObject({ event: "github_unavailable", shas: [expect.any(String)], doneAt: null });
    expect(recheck?.nextAttemptAt).toEqual(due);

    // Still failing a minute later: the re-check records the same pending verdict and asks again.
    s.clock.advance(60_000);
    expect(await reevaluationPass(deps)).toEqual({ taken: 1, done: 1, failed: 0 });
    expect(await statusesOf(s, key)).toEqual(["pending"]);
    expect(await s.store.reevaluations.backlog()).toBe(1);

    // GitHub answers again: the next re-check passes the verdict.
    gh.faults.clear();
    s.clock.advance(59_999);
    expect(await reevaluationPass(deps)).toEqual({ taken: 0, done: 0, failed: 0 });
    s.clock.advance(1);
    expect(await reevaluationPass(deps)).toEqual({ taken: 1, done: 1, failed: 0 });
    expect(await statusesOf(s, key)).toEqual(["pending", "pass"]);
    expect(await s.store.reevaluations.backlog()).toBe(0);
  });

  it("a rate limit: the re-check waits for its retry-after, rounded up to the minute", async () => {
    const s = scenario(gh, db(), {});
    const { key, attemptId } = await s.verifyingTicket(s.commit());
    const deps = s.reevaluationWorker();
    gh.faults.add({
      ...POLICY_READ,
      fault: { kind: "secondary-rate-limit", status: 403, retryAfterSeconds: 90 },
      times: 1,
    });
    expect(await reevaluationPass(deps)).toEqual({ taken: 1, done: 1, failed: 0 });
    expect(await statusesOf(s, key)).toEqual(["pending"]);
    const due = s.clock.now().getTime() + 120_000; // 90 s, rounded up to the next whole minute
    expect(
      await s.store.reevaluations.findByDelivery(`rate_limited:${attemptId}:${due / 60_000}`),
    ).toMatchObject({ event: "rate_limited", nextAttemptAt: new Date(due) });
    s.clock.advance(119_999);
    expect(await reevaluationPass(deps)).toEqual({ taken: 0, done: 0, failed: 0 });
    s.clock.advance(1);
    expect(await reevaluationPass(deps)).toEqual({ taken: 1, done: 1, failed: 0 });
    expect(await statusesOf(s, key)).toEqual(["pending", "pass"]);
  });
});
