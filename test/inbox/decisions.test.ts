import { describe, expect, it } from "vitest";
import { DECISIONS_BY_KIND, INBOX_DECISIONS, INBOX_KINDS, effectOf } from "../../src/domain/inbox.js";
import { TICKET_STATES, decideTransition } from "../../src/domain/ticket-states.js";
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
});
