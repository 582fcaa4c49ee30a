import { describe, expect, it } from "vitest";
import {
  DECISIONS_BY_KIND,
  effectOf,
  INBOX_DECISIONS,
  INBOX_KINDS,
  planGrant,
} from "../../src/domain/inbox.js";
import { decideTransition, TICKET_STATES } from "../../src/domain/ticket-states.js";
import { InboxResultSchema } from "../../src/lifecycle/inbox-schemas.js";

describe("inbox decisions (pure)", () => {
  it("every effect a decision produces is a transition the table allows a person, and a valid result", () => {
    for (const decision of INBOX_DECISIONS)
      for (const state of TICKET_STATES)
        for (const held of [false, true]) {
          const effect = effectOf(decision, { state, held });
          if (!effect.ok) continue;
          const { transition, hold } = effect.effect;
          if (transition)
            expect(
              decideTransition({ ...transition, actor: "human" }),
              `${decision} from ${state}`,
            ).toMatchObject({ ok: true });
          const parsed = InboxResultSchema.safeParse({
            decision,
            transition,
            hold,
            actor: { kind: "human", id: "a" },
            note: "",
            attempts: decision === "grant_attempts" ? 1 : null,
          });
          expect(parsed.success, `${decision} from ${state}: ${parsed.error?.message}`).toBe(true);
        }
  });

  it("refuses decisions that cannot apply, naming why", () => {
    expect(effectOf("accept", { state: "todo", held: false })).toEqual({
      ok: false,
      message: "cannot accept: ticket is todo, not verifying or in_review",
    });
    expect(effectOf("cancel", { state: "done", held: false })).toMatchObject({ ok: false });
    expect(effectOf("reject", null)).toMatchObject({ ok: false, message: /names no ticket/ });
    expect(effectOf("accept", { state: "in_review", held: false })).toMatchObject({
      ok: true,
      effect: { transition: { from: "in_review", to: "done", reason: "approved" } },
    });
    expect(effectOf("hold", { state: "in_progress", held: false })).toEqual({
      ok: true,
      effect: { transition: null, hold: null },
    });
    expect(effectOf("retry", { state: "todo", held: true })).toEqual({
      ok: true,
      effect: { transition: null, hold: "release" },
    });
  });

  it("every kind allows dismiss and cancel (a person can always close the question)", () => {
    for (const kind of INBOX_KINDS)
      expect(DECISIONS_BY_KIND[kind]).toEqual(expect.arrayContaining(["dismiss", "cancel"]));
  });

  it("grant_attempts is a decision of max_attempts_reached items only, and retry is not", () => {
    expect(DECISIONS_BY_KIND.max_attempts_reached).toEqual(["grant_attempts", "cancel", "hold", "dismiss"]);
    for (const kind of INBOX_KINDS.filter((k) => k !== "max_attempts_reached"))
      expect(DECISIONS_BY_KIND[kind], kind).not.toContain("grant_attempts");
  });

  it("grant_attempts releases a max_attempts hold and refuses any other ticket, naming why", () => {
    const release = { ok: true, effect: { transition: null, hold: "release" } };
    expect(effectOf("grant_attempts", { state: "todo", held: true, hold: "max_attempts_reached" })).toEqual(
      release,
    );
    // A caller that only knows "held" (not why) gets the effect; the lifecycle checks the reason.
    expect(effectOf("grant_attempts", { state: "todo", held: true })).toEqual(release);
    expect(effectOf("grant_attempts", { state: "todo", held: false, hold: null })).toEqual({
      ok: false,
      message:
        "cannot grant_attempts: ticket is todo and not held: it is no longer held for max_attempts (dismiss the item, or decide again)",
    });
    expect(
      effectOf("grant_attempts", { state: "todo", held: true, hold: "inbox:completion_failed" }),
    ).toMatchObject({
      ok: false,
      message: /ticket is todo, held: inbox:completion_failed: it is no longer held/,
    });
    expect(effectOf("grant_attempts", { state: "cancelled", held: true })).toMatchObject({ ok: false });
    expect(effectOf("grant_attempts", null)).toMatchObject({ ok: false, message: /names no ticket/ });
  });

  it("a grant adds to the extra attempts; the budget is max_attempts plus them and must leave an attempt", () => {
    const facts = { key: "MC-7", attemptCount: 3, extraAttempts: 0, maxAttempts: 3 };
    expect(planGrant(facts, 1)).toEqual({ ok: true, extraAttempts: 1, budget: 4, attemptsUsed: 3 });
    expect(planGrant({ ...facts, attemptCount: 5, extraAttempts: 2 }, 10)).toEqual({
      ok: true,
      extraAttempts: 12,
      budget: 15,
      attemptsUsed: 5,
    });
    // max_attempts was lowered to 1 after the ticket used 3: one more is not enough.
    expect(planGrant({ ...facts, maxAttempts: 1 }, 1)).toEqual({
      ok: false,
      message:
        "granting 1 attempt leaves MC-7 at 3 of 2 used (max_attempts 1 + 1 granted): grant at least 3, or raise dispatch.max_attempts",
    });
    for (const count of [0, 11, -1, 1.5, Number.NaN])
      expect(planGrant(facts, count), String(count)).toMatchObject({
        ok: false,
        message: /attempts must be a whole number from 1 to 10/,
      });
  });

  it("the result schema takes a count of 1–10 with grant_attempts, and none with any other decision", () => {
    const result = (decision: string, attempts: unknown, hold: string | null = "release") =>
      InboxResultSchema.safeParse({
        decision,
        transition: null,
        hold,
        actor: { kind: "human", id: "a" },
        attempts,
      });
    for (const ok of [1, 10]) expect(result("grant_attempts", ok).success, String(ok)).toBe(true);
    for (const bad of [0, 11, 2.5, "3", null, undefined])
      expect(result("grant_attempts", bad).success, String(bad)).toBe(false);
    expect(result("retry", null).success).toBe(true);
    expect(result("retry", undefined).data?.attempts).toBeNull();
    expect(result("retry", 1).error?.issues[0]).toMatchObject({
      path: ["attempts"],
      message: "retry grants no attempts (attempts go with grant_attempts only)",
    });
    expect(result("grant_attempts", 2, null).success).toBe(false);
  });
});
