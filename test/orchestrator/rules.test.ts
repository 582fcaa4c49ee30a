import { describe, expect, it } from "vitest";
import { decideItem, type ItemFacts } from "../../src/orchestrator/rules.js";

const verified = (overrides: Partial<ItemFacts> = {}): ItemFacts => ({
  kind: "completion_verified",
  attemptId: "a1",
  ticket: { state: "verifying", held: false, currentAttemptId: "a1" },
  latestVerdict: "pass",
  ...overrides,
});
const rules = { reviewRequired: false, retryFailedCompletions: true };

describe("orchestrator rules", () => {
  it("verified → done; with review required → in_review", () => {
    expect(decideItem(verified(), rules)).toMatchObject({
      action: "decide",
      decision: "accept",
      effect: { transition: { from: "verifying", to: "done", reason: "accepted" }, hold: null },
    });
    expect(decideItem(verified(), { ...rules, reviewRequired: true })).toMatchObject({
      decision: "accept_for_review",
      effect: { transition: { to: "in_review", reason: "accepted_for_review" } },
    });
  });

  it("never accepts a proof that no longer stands: dismissed with no ticket change", () => {
    const stale: ItemFacts[] = [
      verified({ latestVerdict: "pending" }),
      verified({ latestVerdict: "fail" }),
      verified({ ticket: { state: "verifying", held: false, currentAttemptId: "a2" } }),
      verified({ ticket: { state: "todo", held: false, currentAttemptId: null } }),
      verified({ ticket: null }),
    ];
    for (const facts of stale)
      expect(decideItem(facts, rules)).toMatchObject({
        action: "decide",
        decision: "dismiss",
        effect: { transition: null, hold: null },
      });
  });

  it("failed completions stay queued, or wait for a person with the ticket held", () => {
    const failed: ItemFacts = {
      kind: "completion_failed",
      attemptId: "a1",
      ticket: { state: "todo", held: false, currentAttemptId: null },
      latestVerdict: "fail",
    };
    expect(decideItem(failed, rules)).toMatchObject({
      decision: "retry",
      effect: { transition: null, hold: null },
    });
    // A hold is someone else's decision (the dispatcher's after max_attempts): the retry keeps it.
    expect(
      decideItem({ ...failed, ticket: { state: "todo", held: true, currentAttemptId: null } }, rules),
    ).toMatchObject({
      decision: "retry",
      effect: { transition: null, hold: null },
      note: expect.stringContaining("stays held"),
    });
    expect(
      decideItem({ ...failed, ticket: { state: "verifying", held: false, currentAttemptId: "a1" } }, rules),
    ).toMatchObject({
      decision: "reject",
      effect: { transition: { from: "verifying", to: "todo", reason: "rejected" } },
    });
    expect(decideItem(failed, { ...rules, retryFailedCompletions: false })).toEqual({
      action: "leave",
      why: "failed completions wait for a person",
      holdTicket: true,
    });
  });

  it("never grants attempts: a ticket held after max_attempts is left for a person, whatever the rules", () => {
    const held: ItemFacts = {
      kind: "max_attempts_reached",
      attemptId: null,
      ticket: { state: "todo", held: true, currentAttemptId: null },
      latestVerdict: null,
    };
    for (const reviewRequired of [false, true])
      for (const retryFailedCompletions of [false, true])
        expect(decideItem(held, { reviewRequired, retryFailedCompletions })).toEqual({
          action: "leave",
          why: "max attempts reached needs a person",
          holdTicket: false,
        });
  });

  it("max attempts and open questions are left for a person", () => {
    for (const kind of ["max_attempts_reached", "needs_decision"] as const)
      expect(decideItem({ ...verified(), kind }, rules)).toMatchObject({
        action: "leave",
        holdTicket: false,
      });
  });
});
