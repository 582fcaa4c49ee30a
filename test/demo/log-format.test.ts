import { describe, expect, it } from "vitest";
import {
  deliveryEntry,
  dispatchEntry,
  type EventFacts,
  eventEntry,
  formatJsonLine,
  formatLine,
  inboxEntry,
  type TicketFacts,
  verdictEntry,
} from "../../src/demo/log-format.js";

const at = new Date(2026, 2, 1, 12, 0, 1); // local time: the log prints local clock time
const SHA = "abc1234def5678901234567890123456789abcde";
const ticket: TicketFacts = {
  key: "MC-4",
  title: "Paint the widget",
  issueNumber: 4,
  assignee: null,
  blockedBy: [],
};

function event(reason: string, overrides: Partial<EventFacts> = {}): EventFacts {
  return {
    id: 1,
    reason,
    fromState: "todo",
    toState: "in_progress",
    actorKind: "dispatcher",
    actorId: "demo-dispatcher",
    detail: {},
    createdAt: at,
    ...overrides,
  };
}

const line = (reason: string, overrides: Partial<EventFacts> = {}, attempt: number | null = null) =>
  formatLine(eventEntry(ticket, event(reason, overrides), () => attempt, null));

describe("the decision log: ticket events", () => {
  it("one readable line per event, with the clock time first", () => {
    expect(line("claimed", {}, 1)).toBe("12:00:01 MC-4 claimed by dispatcher (attempt 1)");
    expect(line("needs_input", { detail: { question: "Which colour?" }, actorKind: "worker" }, 1)).toBe(
      '12:00:01 MC-4 asked: "Which colour?" (attempt 1)',
    );
    expect(line("answered", { actorKind: "human", actorId: "alice" })).toBe(
      "12:00:01 alice answered MC-4 on issue #4",
    );
    expect(
      line("completion_claimed", {
        actorKind: "worker",
        detail: { evidence: { commitSha: SHA, tests: { status: "passed" } } },
      }),
    ).toBe("12:00:01 MC-4 completion claimed at abc1234: pushed, clean tree, tests passed → verifying");
    expect(
      line("evidence_failed", {
        actorKind: "verifier",
        detail: { sha: SHA, failed: [{ id: "check:build" }] },
      }),
    ).toBe("12:00:01 MC-4 evidence failed at abc1234 (check:build) → todo with back-off");
    expect(line("accepted", { actorKind: "orchestrator" })).toBe(
      "12:00:01 MC-4 evidence verified → done (orchestrator)",
    );
    expect(line("held", { detail: { hold: "max_attempts_reached" } })).toBe(
      "12:00:01 MC-4 held: max_attempts_reached (out of the queue until a person decides)",
    );
  });

  it("says who a ticket is assigned to and what blocks it when it is created", () => {
    const blocked = { ...ticket, key: "MC-3", title: "Link it", blockedBy: ["MC-2"] };
    expect(eventEntry(blocked, event("created", { actorKind: "human" }), () => null, null).text).toBe(
      'MC-3 created: "Link it" (blocked by MC-2)',
    );
  });

  it("an event it has no wording for still gets a line, from → to (reason)", () => {
    expect(line("lease_expired", { fromState: "in_progress", toState: "todo" })).toBe(
      "12:00:01 MC-4 in_progress → todo (lease_expired) by dispatcher",
    );
  });

  it("a malformed detail does not break the line", () => {
    expect(line("completion_claimed", { detail: { evidence: "??" } })).toBe(
      "12:00:01 MC-4 completion claimed at ?: pushed, clean tree → verifying",
    );
  });

  it("the same entry as one JSON line", () => {
    const json = JSON.parse(formatJsonLine(eventEntry(ticket, event("claimed"), () => 2, null)));
    expect(json).toEqual({
      type: "decision",
      at: at.toISOString(),
      ticket: "MC-4",
      kind: "claimed",
      source: "event",
      text: "MC-4 claimed by dispatcher (attempt 2)",
    });
  });
});

describe("the decision log: dispatch decisions, verdicts, inbox, webhooks", () => {
  it("policy skips and blocks are shown once per ticket and rule; claims are left to the events", () => {
    const skip = dispatchEntry(
      { code: "skipped_policy", ticket: "MC-1", rule: "assigned_to_human", message: "assigned to alice" },
      at,
    );
    expect(skip?.entry.text).toBe("MC-1 skipped: assigned_to_human (assigned to alice)");
    expect(skip?.dedupe).toBe(
      dispatchEntry({ code: "skipped_policy", ticket: "MC-1", rule: "assigned_to_human" }, new Date())
        ?.dedupe,
    );
    expect(dispatchEntry({ code: "blocked", ticket: "MC-3", blockers: ["MC-2"] }, at)?.entry.text).toBe(
      "MC-3 not claimed: blocked by MC-2",
    );
    expect(dispatchEntry({ code: "claimed", ticket: "MC-2", attempt: "x" }, at)).toBeNull();
    expect(dispatchEntry({ nonsense: true }, at)).toBeNull();
  });

  it("a failed required check is named as CI failing; pending lists what it waits for", () => {
    const criteria = [
      { id: "commit", status: "pass", message: "exists" },
      { id: "check:build", status: "fail", message: "concluded failure" },
      { id: "merged", status: "pending", message: "not merged" },
    ];
    const failed = verdictEntry("MC-5", { id: 1, status: "fail", sha: SHA, criteria, evaluatedAt: at });
    expect(failed).toMatchObject({
      kind: "ci_failed",
      text: "CI failed for MC-5 at abc1234: build (concluded failure)",
    });
    const pending = verdictEntry("MC-5", {
      id: 2,
      status: "pending",
      sha: SHA,
      criteria: criteria.map((c) => ({ ...c, status: c.id === "commit" ? "pass" : "pending" })),
      evaluatedAt: at,
    });
    expect(pending.text).toBe("MC-5 evidence pending at abc1234: waiting for check:build, merged");
    const other = verdictEntry("MC-5", {
      id: 3,
      status: "fail",
      sha: null,
      criteria: [{ id: "attempt", status: "fail", message: "superseded" }],
      evaluatedAt: at,
    });
    expect(other).toMatchObject({ kind: "verdict_fail", text: "MC-5 evidence failed at ?: attempt" });
  });

  it("inbox: handed to a person, or acted on without a ticket change (a change has its own event)", () => {
    const base = {
      id: 7,
      kind: "max_attempts_reached",
      updatedAt: at,
      result: null,
      handoverNote: "needs a person",
    };
    expect(inboxEntry("MC-5", { ...base, state: "pending", audience: "person" })?.entry.text).toBe(
      "MC-5 inbox: max_attempts_reached waits for a person (needs a person)",
    );
    expect(inboxEntry("MC-5", { ...base, state: "pending", audience: "orchestrator" })).toBeNull();
    const retried = inboxEntry("MC-5", {
      ...base,
      kind: "completion_failed",
      state: "acted",
      audience: "orchestrator",
      result: { decision: "retry", transition: null, note: "stays in the queue" },
    });
    expect(retried?.entry.text).toBe(
      "MC-5 orchestrator decided retry on completion_failed: stays in the queue",
    );
    const accepted = inboxEntry("MC-2", {
      ...base,
      kind: "completion_verified",
      state: "acted",
      audience: "orchestrator",
      result: { decision: "accept", transition: { from: "verifying", to: "done" } },
    });
    expect(accepted).toBeNull();
  });

  it("webhooks that carry the story are shown once handled; the rest are left out", () => {
    const delivery = {
      deliveryId: "d1",
      event: "check_run",
      action: "completed",
      status: "handled",
      outcome: "evidence:queued",
      receivedAt: at,
    };
    expect(deliveryEntry(delivery)?.text).toBe(
      "github → app: check_run.completed (handled: evidence:queued)",
    );
    expect(deliveryEntry({ ...delivery, status: "received" })).toBeNull();
    expect(deliveryEntry({ ...delivery, event: "issues", action: "labeled" })).toBeNull();
  });
});
