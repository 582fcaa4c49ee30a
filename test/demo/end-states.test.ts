import { describe, expect, it } from "vitest";
import { evaluateEndStates, formatEndStates, type OutcomeFacts } from "../../src/demo/end-states.js";
import type { Role } from "../../src/demo/scenario.js";

const A1 = "11111111-1111-4111-8111-111111111111";
const A2 = "22222222-2222-4222-8222-222222222222";

function facts(role: Role, overrides: Partial<OutcomeFacts> = {}): OutcomeFacts {
  return {
    key: "MC-9",
    role,
    state: "done",
    hold: null,
    attempts: 1,
    events: [],
    policySkips: [],
    seenBlocked: false,
    blockersDoneAt: [],
    verdicts: [],
    forPerson: [],
    ...overrides,
  };
}

const ok = (f: OutcomeFacts) => evaluateEndStates([f], "alice")[0]?.ok;
const ev = (id: number, reason: string, actorId = "x") => ({ id, reason, actorId });

describe("the demo tickets' expected end states", () => {
  it("the person's ticket: still todo, never claimed, and the dispatcher said why", () => {
    const waiting = facts("assigned_to_person", { state: "todo", attempts: 0 });
    expect(ok(waiting)).toBe(false); // not yet seen by a dispatch cycle
    expect(ok({ ...waiting, policySkips: ["assigned_to_human"] })).toBe(true);
    expect(ok({ ...waiting, policySkips: ["assigned_to_human"], attempts: 1 })).toBe(false);
  });

  it("the blocked ticket: done, and first claimed only after its blocker's done event", () => {
    const blocked = facts("blocked", {
      seenBlocked: true,
      events: [ev(1, "created"), ev(20, "claimed"), ev(30, "accepted")],
      blockersDoneAt: [10],
    });
    expect(ok(blocked)).toBe(true);
    expect(ok({ ...blocked, blockersDoneAt: [25] })).toBe(false);
    expect(ok({ ...blocked, blockersDoneAt: [null] })).toBe(false);
    expect(ok({ ...blocked, seenBlocked: false })).toBe(false);
  });

  it("the question ticket: asked once, answered by the person, done on attempt 2", () => {
    const asked = facts("asks_question", {
      attempts: 2,
      events: [ev(2, "needs_input"), ev(3, "answered", "alice")],
    });
    expect(ok(asked)).toBe(true);
    expect(ok({ ...asked, events: [ev(2, "needs_input"), ev(3, "answered", "bob")] })).toBe(false);
    expect(ok({ ...asked, attempts: 3 })).toBe(false);
  });

  it("the CI ticket: two attempts failed by CI, held for a person with an inbox item", () => {
    const held = facts("ci_fails", {
      state: "todo",
      hold: "max_attempts_reached",
      attempts: 2,
      verdicts: [
        { attemptId: A1, status: "pending" },
        { attemptId: A1, status: "ci_failed" },
        { attemptId: A2, status: "ci_failed" },
        // a re-check after the ticket moved on records the failure again: still two attempts
        { attemptId: A2, status: "ci_failed" },
      ],
      forPerson: ["max_attempts_reached"],
    });
    expect(ok(held)).toBe(true);
    expect(ok({ ...held, forPerson: [] })).toBe(false);
    expect(ok({ ...held, verdicts: [{ attemptId: A1, status: "ci_failed" }] })).toBe(false);
    expect(ok({ ...held, hold: null })).toBe(false);
  });

  it("the summary table names what is expected and what is, with NO for a miss", () => {
    const rows = evaluateEndStates(
      [
        facts("completes", { key: "MC-2", verdicts: [{ attemptId: A1, status: "pass" }] }),
        facts("completes", { key: "MC-7", state: "verifying" }),
      ],
      "alice",
    );
    expect(rows.map((r) => r.ok)).toEqual([true, false]);
    const table = formatEndStates(rows).split("\n");
    expect(table[0]).toMatch(/^ticket\s+role\s+expected\s+actual\s+ok$/);
    expect(table[1]).toMatch(
      /^MC-2\s+completes\s+done after 1 attempt, evidence verified\s+done; 1 attempt; verdicts: pass\s+yes$/,
    );
    expect(table[2]).toMatch(/^MC-7 .* verifying; 1 attempt\s+NO$/);
  });
});
