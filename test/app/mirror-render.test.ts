import { describe, expect, it } from "vitest";
import { mergeLabels, renderEventComment, renderIssue, ticketMarker } from "../../src/app/mirror/render.js";
import { retryDelayMs } from "../../src/app/mirror/retry.js";
import type { TicketEventRow, TicketRow } from "../../src/db/schema.js";

const ticket = (overrides: Partial<TicketRow> = {}): TicketRow => ({
  id: 3,
  key: "MC-3",
  repository: "acme/widgets",
  title: "Add retries",
  body: "The fetcher gives up too soon.",
  labels: ["bug"],
  priority: "high",
  assignee: null,
  campaign: null,
  blockedBy: [],
  state: "todo",
  version: 2,
  attemptCount: 0,
  extraAttempts: 0,
  nextEligibleAt: null,
  hold: null,
  currentAttemptId: null,
  issueNumber: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...overrides,
});
const event = (overrides: Partial<TicketEventRow>): TicketEventRow => ({
  id: 11,
  ticketId: 3,
  fromState: "in_progress",
  toState: "needs_input",
  actorKind: "worker",
  actorId: "agent",
  reason: "needs_input",
  attemptId: null,
  version: 4,
  detail: {},
  createdAt: new Date(0),
  ...overrides,
});

describe("renderIssue", () => {
  it("renders title, a marked body with a machine-readable block, and our labels", () => {
    const view = renderIssue(ticket(), "mission-control");
    expect(view.title).toBe("MC-3: Add retries");
    expect(view.body.startsWith(ticketMarker("MC-3"))).toBe(true);
    expect(view.body).toContain("The fetcher gives up too soon.");
    const json = /```json\n([\s\S]*?)\n```/.exec(view.body)?.[1] ?? "";
    expect(JSON.parse(json)).toMatchObject({ key: "MC-3", state: "todo", priority: "high" });
    // The version moves with every event; an issue that showed it would need an update for each one.
    expect(JSON.parse(json)).not.toHaveProperty("version");
    expect(renderIssue(ticket({ version: 9 }), "mission-control")).toEqual(view);
    expect(view.labels).toEqual([
      "mission-control",
      "mission-control:state/todo",
      "mission-control:priority/high",
      "bug",
    ]);
    expect(view).toMatchObject({ state: "open", stateReason: null });
  });

  it("closes done (completed) and cancelled (not planned) tickets", () => {
    expect(renderIssue(ticket({ state: "done" }), "mc")).toMatchObject({
      state: "closed",
      stateReason: "completed",
    });
    expect(renderIssue(ticket({ state: "cancelled" }), "mc")).toMatchObject({
      state: "closed",
      stateReason: "not_planned",
    });
  });
});

describe("mergeLabels", () => {
  it("replaces our labels and keeps everyone else's", () => {
    expect(
      mergeLabels(
        ["mission-control:state/todo", "team/a", "mission-control:priority/low"],
        ["mission-control", "mission-control:state/done"],
      ),
    ).toEqual(["team/a", "mission-control", "mission-control:state/done"]);
  });
});

describe("renderEventComment", () => {
  it("quotes the agent's question with the event's marker; most events get no comment", () => {
    const body = renderEventComment(ticket(), event({ detail: { question: "Which DB?\nOr both?" } }));
    expect(body).toContain("<!-- mission-control:event 11 -->");
    expect(body).toContain("> Which DB?\n> Or both?");
    expect(renderEventComment(ticket(), event({ reason: "claimed" }))).toBeNull();
    // A completion claim is shown by the `verifying` label and, on the commit, by the check run.
    expect(renderEventComment(ticket(), event({ reason: "completion_claimed" }))).toBeNull();
    expect(renderEventComment(ticket(), event({ reason: "evidence_failed" }))).toContain("Evidence failed");
  });
});

describe("retryDelayMs", () => {
  const policy = { baseMs: 1000, capMs: 60_000 };
  it("backs off exponentially up to the cap", () => {
    expect(retryDelayMs(policy, 0, new Error("x"))).toBe(1000);
    expect(retryDelayMs(policy, 3, new Error("x"))).toBe(8000);
    expect(retryDelayMs(policy, 30, new Error("x"))).toBe(60_000);
  });
  it("waits at least as long as GitHub's retry-after or rate-limit reset says", () => {
    expect(retryDelayMs(policy, 0, { response: { headers: { "retry-after": "30" } } })).toBe(30_000);
    expect(
      retryDelayMs(
        policy,
        0,
        { response: { headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "100" } } },
        40_000,
      ),
    ).toBe(60_000);
  });
});
