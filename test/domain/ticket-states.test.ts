import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ACTOR_KINDS } from "../../src/domain/actors.js";
import {
  allowedTransitions,
  decideTransition,
  isTerminal,
  TICKET_STATES,
  type TicketState,
  TRANSITION_REASONS,
  TRANSITIONS,
} from "../../src/domain/ticket-states.js";

const request = fc.record({
  to: fc.constantFrom(...TICKET_STATES),
  reason: fc.constantFrom(...TRANSITION_REASONS),
  actor: fc.constantFrom(...ACTOR_KINDS),
});

/** Requests biased towards ones the table has, so long runs get deep into the machine. */
const plausibleRequest = fc.oneof(
  request,
  fc.constantFrom(...TRANSITIONS).chain((rule) =>
    fc.record({
      to: fc.constant(rule.to),
      reason: fc.constant(rule.reason),
      actor: fc.constantFrom(...ACTOR_KINDS),
    }),
  ),
);

describe("ticket state machine", () => {
  it("random sequences of attempted transitions stay in defined states and terminal states stay terminal", () => {
    fc.assert(
      fc.property(fc.array(plausibleRequest, { maxLength: 60 }), (requests) => {
        let state: TicketState = "todo";
        for (const r of requests) {
          const decision = decideTransition({ from: state, ...r });
          if (isTerminal(state)) {
            expect(decision).toMatchObject({ ok: false, code: "terminal_state", allowed: [] });
            continue;
          }
          if (r.actor === "operator") expect(decision.ok).toBe(false);
          if (decision.ok) {
            expect(decision.rule).toMatchObject({ from: state, to: r.to, reason: r.reason });
            expect(decision.rule.actors).toContain(r.actor);
            state = decision.rule.to;
          } else {
            // A refusal names exactly what this actor could do instead.
            expect(decision.allowed).toEqual(allowedTransitions(state, r.actor));
            expect(decision.message.length).toBeGreaterThan(0);
          }
          expect(TICKET_STATES).toContain(state);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it("the operator may perform no transition at all", () => {
    expect(TRANSITIONS.filter((rule) => rule.actors.includes("operator"))).toEqual([]);
    for (const from of TICKET_STATES) expect(allowedTransitions(from, "operator")).toEqual([]);
  });

  it("no rule leaves a terminal state, and rules are unique by (from, to, reason)", () => {
    expect(TRANSITIONS.filter((rule) => isTerminal(rule.from))).toEqual([]);
    const keys = TRANSITIONS.map((r) => `${r.from}>${r.to}>${r.reason}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const rule of TRANSITIONS) expect(rule.actors.length).toBeGreaterThan(0);
  });

  it("every state is reachable from todo and every non-terminal state can be cancelled", () => {
    const reached = new Set<TicketState>(["todo"]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const rule of TRANSITIONS) {
        if (reached.has(rule.from) && !reached.has(rule.to)) {
          reached.add(rule.to);
          grew = true;
        }
      }
    }
    expect([...reached].sort()).toEqual([...TICKET_STATES].sort());
    for (const state of TICKET_STATES.filter((s) => !isTerminal(s))) {
      expect(decideTransition({ from: state, to: "cancelled", reason: "cancelled", actor: "human" }).ok).toBe(
        true,
      );
    }
  });

  it("the design's paths are allowed for the right actors", () => {
    const ok = (
      from: TicketState,
      to: TicketState,
      reason: (typeof TRANSITION_REASONS)[number],
      actor: string,
    ) => decideTransition({ from, to, reason, actor: actor as (typeof ACTOR_KINDS)[number] }).ok;
    expect(ok("todo", "in_progress", "claimed", "dispatcher")).toBe(true);
    expect(ok("todo", "in_progress", "claimed", "worker")).toBe(false);
    expect(ok("in_progress", "needs_input", "needs_input", "worker")).toBe(true);
    expect(ok("needs_input", "todo", "requeued_needs_input", "dispatcher")).toBe(true);
    expect(ok("needs_input", "in_progress", "claimed", "dispatcher")).toBe(false);
    expect(ok("in_progress", "todo", "lease_expired", "dispatcher")).toBe(true);
    expect(ok("in_progress", "verifying", "completion_claimed", "worker")).toBe(true);
    expect(ok("verifying", "done", "accepted", "orchestrator")).toBe(true);
    expect(ok("verifying", "done", "accepted", "worker")).toBe(false);
    expect(ok("verifying", "in_review", "accepted_for_review", "orchestrator")).toBe(true);
    expect(ok("in_review", "done", "approved", "human")).toBe(true);
    expect(ok("verifying", "todo", "rejected", "orchestrator")).toBe(true);
    expect(ok("verifying", "todo", "evidence_failed", "verifier")).toBe(true);
  });

  it("a refusal explains itself", () => {
    const decision = decideTransition({ from: "todo", to: "done", reason: "accepted", actor: "worker" });
    expect(decision).toMatchObject({ ok: false, code: "no_such_transition", allowed: [] });
    const wrongActor = decideTransition({
      from: "verifying",
      to: "done",
      reason: "accepted",
      actor: "worker",
    });
    expect(wrongActor).toMatchObject({ ok: false, code: "actor_not_allowed" });
    if (!wrongActor.ok) expect(wrongActor.message).toContain("only orchestrator, human");
  });
});
