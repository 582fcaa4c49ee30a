import { describe, expect, it } from "vitest";
import { type Candidate, planPick } from "../../src/dispatch/plan.js";
import { evaluatePolicy } from "../../src/dispatch/policy.js";

const policy = { agentIdentities: ["agent"], excludedCampaigns: ["legal"], excludedLabels: ["no-agent"] };
const now = new Date("2026-01-01T00:00:00Z");

function candidate(key: string, overrides: Partial<Candidate> = {}): Candidate {
  return {
    key,
    version: 1,
    assignee: null,
    campaign: null,
    labels: [],
    blockedBy: [],
    attemptCount: 0,
    extraAttempts: 0,
    nextEligibleAt: null,
    ...overrides,
  };
}

const plan = (candidates: Candidate[], freeSlots = 10, blockerStates = new Map()) =>
  planPick({ candidates, blockerStates, freeSlots, maxAttempts: 3, policy, now });

describe("claim policy", () => {
  it("names the rule that refuses a ticket", () => {
    expect(evaluatePolicy({ assignee: "alice", campaign: null, labels: [] }, policy)).toMatchObject({
      allowed: false,
      rule: "assigned_to_human",
    });
    expect(evaluatePolicy({ assignee: "agent", campaign: null, labels: [] }, policy)).toEqual({
      allowed: true,
    });
    expect(evaluatePolicy({ assignee: null, campaign: "legal", labels: [] }, policy)).toMatchObject({
      rule: "excluded_campaign",
    });
    expect(
      evaluatePolicy({ assignee: null, campaign: null, labels: ["x", "no-agent"] }, policy),
    ).toMatchObject({
      rule: "excluded_label",
      message: "labelled no-agent",
    });
  });
});

describe("pick plan", () => {
  it("gives each non-claim its own reason code, in pick order, and claims the rest while slots last", () => {
    const result = plan(
      [
        candidate("MC-1", { attemptCount: 3 }),
        candidate("MC-2", { blockedBy: ["MC-9", "MC-8"] }),
        candidate("MC-3", { nextEligibleAt: new Date(now.getTime() + 1000) }),
        candidate("MC-4", { assignee: "alice" }),
        candidate("MC-5", { nextEligibleAt: new Date(now.getTime() - 1) }),
        candidate("MC-6", { blockedBy: ["MC-8"] }),
        candidate("MC-7"),
      ],
      1,
      new Map([
        ["MC-8", "done"],
        ["MC-9", "in_progress"],
      ]),
    );
    expect(result.decisions).toEqual([
      { code: "max_attempts", ticket: "MC-1", attempts: 3, budget: 3 },
      { code: "blocked", ticket: "MC-2", blockers: ["MC-9"] },
      { code: "backing_off", ticket: "MC-3", until: "2026-01-01T00:00:01.000Z" },
      {
        code: "skipped_policy",
        ticket: "MC-4",
        rule: "assigned_to_human",
        message: "assigned to alice, who is not an agent",
      },
      { code: "no_slot", ticket: "MC-6", freeSlots: 1 },
    ]);
    expect(result.claims.map((c) => c.key)).toEqual(["MC-5"]);
    expect(result.holds.map((c) => c.key)).toEqual(["MC-1"]);
    expect(result.slotsExhausted).toBe(true);
  });

  it("stops at the batch with batch_limit when the batch is smaller than the free slots, else no_slot", () => {
    const three = [candidate("MC-1"), candidate("MC-2"), candidate("MC-3")];
    const batch = planPick({
      candidates: three,
      blockerStates: new Map(),
      freeSlots: 3000,
      batchLeft: 2,
      maxAttempts: 3,
      policy,
      now,
    });
    expect(batch.claims.map((c) => c.key)).toEqual(["MC-1", "MC-2"]);
    expect(batch.decisions).toEqual([{ code: "batch_limit", ticket: "MC-3", batchSize: 2, freeSlots: 3000 }]);
    expect(batch.slotsExhausted).toBe(true);
    for (const freeSlots of [1, 2]) {
      const slots = planPick({
        candidates: three,
        blockerStates: new Map(),
        freeSlots,
        batchLeft: 2,
        maxAttempts: 3,
        policy,
        now,
      });
      expect(slots.decisions).toEqual([{ code: "no_slot", ticket: `MC-${freeSlots + 1}`, freeSlots }]);
    }
  });

  it("a policy refusal is never reported as no_slot or as a conflict, even with no free slot", () => {
    const result = plan([candidate("MC-1", { assignee: "bob" })], 0);
    expect(result.decisions).toEqual([
      { code: "skipped_policy", ticket: "MC-1", rule: "assigned_to_human", message: expect.any(String) },
    ]);
    expect(result.claims).toEqual([]);
  });

  it("the attempt budget is max_attempts plus the attempts granted, and the decision says it", () => {
    const result = plan([
      candidate("MC-1", { attemptCount: 3, extraAttempts: 1 }),
      candidate("MC-2", { attemptCount: 4, extraAttempts: 1 }),
      candidate("MC-3", { attemptCount: 5, extraAttempts: 1 }),
      candidate("MC-4", { attemptCount: 12, extraAttempts: 10 }),
    ]);
    expect(result.decisions).toEqual([
      { code: "max_attempts", ticket: "MC-2", attempts: 4, budget: 4 },
      { code: "max_attempts", ticket: "MC-3", attempts: 5, budget: 4 },
    ]);
    expect(result.claims.map((c) => c.key)).toEqual(["MC-1", "MC-4"]);
    expect(result.holds.map((c) => c.key)).toEqual(["MC-2", "MC-3"]);
  });

  it("a blocker that does not exist counts as not done", () => {
    expect(plan([candidate("MC-1", { blockedBy: ["MC-404"] })]).decisions).toEqual([
      { code: "blocked", ticket: "MC-1", blockers: ["MC-404"] },
    ]);
  });
});
