/**
 * The history checker can fail: each planted bad history is caught by the invariant it breaks, in
 * the right category, and a correct history passes with zeros.
 */
import { describe, expect, it } from "vitest";
import { type CheckReport, checkHistory, formatReport, summaryLine } from "./checker.js";
import type { InboxFact } from "./history.js";
import { at, HistoryBuilder } from "./history-builder.js";

const item = (patch: Partial<InboxFact> & { id: number; ticketId: number }): InboxFact => ({
  kind: "completion_verified",
  attemptId: null,
  state: "acted",
  audience: "orchestrator",
  deliveryCount: 1,
  decision: "accept",
  appliedEventId: null,
  createdAt: at(0),
  actedAt: at(0),
  ...patch,
});

/**
 * MC-1 asks, is answered, completes on its second attempt and is accepted (inbox item 1); MC-2
 * always fails, is held and cancelled by a person (item 2).
 */
function goodRun(): HistoryBuilder {
  const b = new HistoryBuilder();
  const mc1 = b.walk("MC-1", "ask", [
    ["claimed", "in_progress", "a0"],
    ["needs_input", "needs_input", "a0", { question: "Which widget?" }],
    ["answered", "needs_input", "a0"],
    ["requeued_needs_input", "todo"],
    ["claimed", "in_progress", "a1"],
    ["completion_claimed", "verifying", "a1"],
    ["accepted", "done", "a1", { inboxItem: 1, decision: "accept" }],
  ]);
  b.attempt(mc1, { id: "a0", status: "needs_input", outcomeReason: "needs_input" });
  b.attempt(mc1, { id: "a1", evidenceSha: "sha1" });
  const mc2 = b.walk("MC-2", "fail", [
    ["claimed", "in_progress", "a2"],
    ["attempt_failed", "todo", "a2"],
    ["held", "todo", undefined, { hold: "max_attempts_reached" }],
    ["cancelled", "cancelled", undefined, { inboxItem: 2, decision: "cancel" }],
  ]);
  b.attempt(mc2, { id: "a2", status: "failed", outcomeReason: "agent_crashed" });
  return b.with({
    verdicts: [
      {
        id: 1,
        ticketId: mc1.id,
        attemptId: "a1",
        sha: "sha1",
        status: "pass",
        ticketOutcome: "decision_requested",
        evaluatedAt: at(7),
      },
    ],
    questions: [
      { id: 1, ticketId: mc1.id, attemptId: "a0", askedAt: at(3), answer: "the blue one", answeredAt: at(4) },
    ],
    commits: [{ sha: "sha1", ci: ["success"] }],
    inbox: [
      item({ id: 1, ticketId: mc1.id, attemptId: "a1", appliedEventId: 8 }),
      item({
        id: 2,
        ticketId: mc2.id,
        kind: "max_attempts_reached",
        audience: "person",
        decision: "cancel",
        appliedEventId: 13,
      }),
    ],
    orchestratorOutcomes: [{ process: "orchestrator-0", item: 1, outcome: "acted" }],
  });
}

const invariant = (report: CheckReport, name: string) => report.invariants.find((i) => i.name === name);

describe("the chaos history checker", () => {
  it("passes a correct history with zeros, and prints the seed", () => {
    const report = checkHistory(goodRun().build());
    expect(report.findings).toEqual([]);
    expect(summaryLine(report)).toBe("lost=0 duplicated=0 unexpected=0 seed=7");
    expect(invariant(report, "terminal_or_explainable")?.explained).toEqual({
      "terminal:done": 1,
      "terminal:cancelled": 1,
    });
    expect(formatReport(report)).toContain("outcomes by kind:");
  });

  it("two running attempts at once: a claim while another attempt is live, and overlapping attempts", () => {
    const b = new HistoryBuilder();
    const t = b.walk("MC-1", "succeed", [
      ["claimed", "in_progress", "a1"],
      // A second dispatcher claimed without the compare-and-set: the ticket was never back in todo.
      ["claimed", "in_progress", "a2"],
    ]);
    b.attempt(t, { id: "a1", status: "running", endedAt: null, outcomeReason: null });
    b.attempt(t, { id: "a2", status: "running", endedAt: null, outcomeReason: null });
    const report = checkHistory(b.with({ endedBy: "bound" }).build());
    expect(invariant(report, "single_live_attempt")?.duplicated).toBeGreaterThanOrEqual(3);
    expect(report.findings.map((f) => f.message).join("\n")).toContain("claimed (event 3) while a1 was live");
  });

  it("an attempt launched twice: two dispatch decisions, two agents, a shared launch key", () => {
    const b = goodRun();
    const h = b.build();
    const first = h.attempts[0];
    if (!first) throw new Error("no attempt");
    const report = checkHistory({
      ...h,
      launches: [...h.launches, { cycleId: 99, code: "claimed", attemptId: "a1" }],
      agentStarts: [...h.agentStarts, { attemptId: "a1", ticket: "MC-1", pid: 4242, at: at(5) }],
      attempts: [...h.attempts, { ...first, id: "a9", number: 3, createdAt: at(900), endedAt: at(901) }],
    });
    expect(invariant(report, "launched_once")).toMatchObject({ duplicated: 3, lost: 0, unexpected: 0 });
  });

  it("a completion from a stale attempt: claimed after its lease expired, then accepted", () => {
    const b = new HistoryBuilder();
    const t = b.walk("MC-1", "hang", [
      ["claimed", "in_progress", "a1"],
      ["lease_expired", "todo", "a1"],
      ["claimed", "in_progress", "a2"],
      ["completion_claimed", "verifying", "a1"],
      ["accepted", "done", "a1", { inboxItem: 1, decision: "accept" }],
    ]);
    b.attempt(t, { id: "a1", status: "lost", outcomeReason: "lease_expired", evidenceSha: "sha1" });
    b.attempt(t, { id: "a2", status: "running", endedAt: null, outcomeReason: null });
    b.with({
      commits: [{ sha: "sha1", ci: ["success"] }],
      inbox: [item({ id: 1, ticketId: t.id, attemptId: "a1", appliedEventId: 6 })],
    });
    const report = checkHistory(b.build());
    const stale = invariant(report, "no_stale_completion");
    expect(stale?.unexpected).toBeGreaterThanOrEqual(3);
    const messages = report.findings
      .filter((f) => f.invariant === "no_stale_completion")
      .map((f) => f.message);
    expect(messages.join("\n")).toContain(
      "completion claimed (event 5) by attempt a1, which was not live (live: a2)",
    );
    expect(messages.join("\n")).toContain("which ended lost");
  });

  it("done without proof: CI failed on the commit, and the verdict was never pass; a failing ticket done", () => {
    const b = new HistoryBuilder();
    const t = b.walk("MC-1", "fail", [
      ["claimed", "in_progress", "a1"],
      ["completion_claimed", "verifying", "a1"],
      ["accepted", "done", "a1", { inboxItem: 1, decision: "accept" }],
    ]);
    b.attempt(t, { id: "a1", evidenceSha: "sha1" });
    b.with({
      commits: [{ sha: "sha1", ci: ["failure"] }],
      inbox: [item({ id: 1, ticketId: t.id, attemptId: "a1", appliedEventId: 4 })],
    });
    const report = checkHistory(b.build());
    expect(invariant(report, "no_stale_completion")?.unexpected).toBe(3);
  });

  it("an inbox item acted on twice, and one never acted on", () => {
    const b = goodRun();
    const h = b.build();
    const report = checkHistory({
      ...h,
      events: h.events.map((e) =>
        e.reason === "held" ? { ...e, detail: { ...e.detail, inboxItem: 2, decision: "hold" } } : e,
      ),
      orchestratorOutcomes: [
        ...h.orchestratorOutcomes,
        { process: "orchestrator-1", item: 1, outcome: "acted" },
      ],
      inbox: [...h.inbox, item({ id: 3, ticketId: 2, state: "pending", decision: null, actedAt: null })],
    });
    expect(invariant(report, "inbox_acted_once")).toMatchObject({ duplicated: 2, lost: 1 });
  });

  it("a change that never reached its issue: stale body, missing comment, pending job, missing and duplicate issues", () => {
    const b = goodRun();
    const h = b.build();
    const [first, second] = h.issues;
    if (!first || !second) throw new Error("no issues");
    const staleBody = {
      ...first,
      body: first.body.replace('"state": "done"', '"state": "verifying"'),
      comments: [],
    };
    const report = checkHistory({
      ...h,
      issues: [staleBody, second, { ...second, number: 77 }],
      mirrorJobs: h.mirrorJobs.filter((j) => j.eventId !== 1),
    });
    const mirror = invariant(report, "issue_mirrored");
    // event 1 without a job; MC-1's body behind and its question's comment missing; MC-2 twice.
    expect(mirror).toMatchObject({ lost: 3, duplicated: 1, unexpected: 0 });

    const pending = checkHistory({
      ...h,
      mirrorJobs: h.mirrorJobs.map((j) => (j.eventId === 2 ? { ...j, done: false } : j)),
      issues: [],
    });
    expect(invariant(pending, "issue_mirrored")).toMatchObject({ lost: 2 });
  });

  it("stuck tickets are lost when the run quiesced, and explained when it hit its bound", () => {
    const b = new HistoryBuilder();
    const running = b.walk("MC-1", "succeed", [["claimed", "in_progress", "a1"]]);
    b.attempt(running, { id: "a1", status: "running", endedAt: null, outcomeReason: null });
    // Completion claimed, CI passed on GitHub, but nothing ever verified it.
    const unverified = b.walk("MC-2", "succeed", [
      ["claimed", "in_progress", "a2"],
      ["completion_claimed", "verifying", "a2"],
    ]);
    b.attempt(unverified, { id: "a2", evidenceSha: "sha2" });
    b.with({ commits: [{ sha: "sha2", ci: ["success"] }] });
    const tickets = b.tickets.map((t) =>
      t.key === "MC-1" ? { ...t, currentAttemptId: "a1" } : { ...t, currentAttemptId: "a2" },
    );
    const quiesced = checkHistory({ ...b.build(), tickets });
    expect(invariant(quiesced, "terminal_or_explainable")).toMatchObject({ lost: 2 });
    expect(quiesced.findings.map((f) => f.message).join("\n")).toContain("CI concluded success on sha2");

    // At the bound, MC-1 is still running; MC-2 stays lost: every webhook about sha2 was handled.
    const bound = checkHistory({ ...b.build(), tickets, endedBy: "bound" });
    expect(invariant(bound, "terminal_or_explainable")).toMatchObject({
      lost: 1,
      explained: { running: 1 },
    });
    // A lease that ran out just before the bound waits for the next dispatch cycle; one long gone does not.
    const expired = (secondsBeforeEnd: number) =>
      checkHistory({
        ...b.build(),
        tickets,
        endedBy: "bound",
        attempts: b.attempts.map((a) =>
          a.id === "a1" ? { ...a, leaseExpiresAt: at(1000 - secondsBeforeEnd) } : a,
        ),
      });
    expect(invariant(expired(5), "terminal_or_explainable")?.explained).toMatchObject({ expiry_pending: 1 });
    expect(
      expired(60)
        .findings.map((f) => f.message)
        .join("\n"),
    ).toContain("nobody expired it");
    // … unless the app has not run the re-evaluation CI's webhook asked for yet.
    const inFlight = checkHistory({
      ...b.build(),
      tickets,
      endedBy: "bound",
      pendingReevaluations: [{ shas: ["sha2"], wholeRepository: false }],
    });
    expect(invariant(inFlight, "terminal_or_explainable")).toMatchObject({
      lost: 0,
      explained: { running: 1, verifying_awaiting_app: 1 },
    });
  });

  it("a held ticket with nobody asked to decide is lost; with a person's open item it is explained", () => {
    const b = new HistoryBuilder();
    b.walk("MC-1", "fail", [["held", "todo", undefined, { hold: "max_attempts_reached" }]]);
    const held = b.tickets.map((t) => ({ ...t, hold: "max_attempts_reached" }));
    const nobody = checkHistory({ ...b.build(), tickets: held });
    expect(invariant(nobody, "terminal_or_explainable")?.lost).toBe(1);
    const waiting = checkHistory({
      ...b.build(),
      tickets: held,
      endedBy: "bound",
      inbox: [
        item({
          id: 1,
          ticketId: 1,
          kind: "max_attempts_reached",
          audience: "person",
          state: "pending",
          decision: null,
        }),
      ],
    });
    expect(invariant(waiting, "terminal_or_explainable")).toMatchObject({
      lost: 0,
      explained: { held_for_person: 1 },
    });
  });

  it("a broken event history: a version gap, a transition the table lacks, a stored state its events disagree with", () => {
    const h = goodRun().build();
    const report = checkHistory({
      ...h,
      events: h.events.map((e) =>
        e.id === 3 ? { ...e, version: 7 } : e.id === 9 ? { ...e, reason: "accepted" } : e,
      ),
      tickets: h.tickets.map((t) => (t.key === "MC-2" ? { ...t, version: 99 } : t)),
    });
    const consistent = invariant(report, "history_consistent");
    expect(consistent?.unexpected).toBeGreaterThanOrEqual(4);
  });

  it("a webhook never handled is lost; one the app recorded but GitHub never sent is unexpected", () => {
    const h = goodRun().build();
    const report = checkHistory({
      ...h,
      webhooksSent: [
        ...h.webhooksSent,
        { guid: "g-2", event: "issue_comment", action: "created", sha: null, statusCodes: [0, 500] },
      ],
      webhooksReceived: [...h.webhooksReceived, { guid: "g-3", status: "handled" }],
    });
    expect(invariant(report, "webhooks_handled")).toMatchObject({ lost: 1, unexpected: 1 });
    expect(summaryLine(report)).toBe("lost=1 duplicated=0 unexpected=1 seed=7");
  });
});
