import { describe, expect, it } from "vitest";
import { fingerprintOf } from "../../src/domain/alerts.js";
import { CONDITIONS, evaluateConditions } from "../../src/operator/conditions.js";
import { emptySnapshot, thresholds } from "./support.js";

const at = (iso: string) => new Date(`2026-01-01T${iso}Z`);
const paused = { enabled: false, changedBy: "alice", reason: "freeze" };

describe("operator conditions (pure)", () => {
  it("a healthy snapshot has no findings", () => {
    expect(evaluateConditions(emptySnapshot({ queued: 5 }), thresholds)).toEqual([]);
  });

  it("dispatch stale: only with a backlog, and not while paused (that is its own condition)", () => {
    const stale = emptySnapshot({
      queued: 3,
      lastCycle: { startedAt: at("11:00:00"), outcome: "completed", workerCountErrors: [] },
    });
    expect(CONDITIONS.dispatch_stale(stale, thresholds)).toMatchObject([
      { subject: "dispatch", severity: "critical" },
    ]);
    expect(CONDITIONS.dispatch_stale({ ...stale, queued: 0 }, thresholds)).toEqual([]);
    expect(CONDITIONS.dispatch_stale({ ...stale, lastCycle: null }, thresholds)).toMatchObject([
      { message: /no dispatch cycle ever/ },
    ]);
    expect(
      CONDITIONS.dispatch_stale({ ...stale, tasks: { ...stale.tasks, dispatch: paused } }, thresholds),
    ).toEqual([]);
    // Exactly at the threshold is not yet stale.
    const edge = emptySnapshot({
      queued: 1,
      lastCycle: { startedAt: at("11:30:00"), outcome: "completed", workerCountErrors: [] },
    });
    expect(CONDITIONS.dispatch_stale(edge, thresholds)).toEqual([]);
  });

  it("dispatch paused while a backlog exists names who paused it and how to resume", () => {
    const s = emptySnapshot({ queued: 2, tasks: { ...emptySnapshot().tasks, dispatch: paused } });
    const [finding] = CONDITIONS.dispatch_paused_with_backlog(s, thresholds);
    expect(finding).toMatchObject({ condition: "dispatch_paused_with_backlog", subject: "dispatch" });
    expect(finding?.message).toMatch(
      /paused by alice \(freeze\) while 2 ticket\(s\) are queued.*mctl maintenance resume dispatch/,
    );
    expect(CONDITIONS.dispatch_paused_with_backlog({ ...s, queued: 0 }, thresholds)).toEqual([]);
  });

  it("worker count, lost attempts, questions, inbox items and evidence each give per-subject fingerprints", () => {
    const s = emptySnapshot({
      lastCycle: {
        startedAt: at("11:59:00"),
        outcome: "completed",
        workerCountErrors: [{ source: "github", message: "502" }],
      },
      lostAttempts: [
        { ticketKey: "MC-1", attemptId: "x", endedAt: at("11:30:00") },
        { ticketKey: "MC-1", attemptId: "y", endedAt: at("11:40:00") },
        { ticketKey: "MC-2", attemptId: "z", endedAt: at("10:00:00") },
      ],
      unansweredQuestions: [
        { ticketKey: "MC-3", questionId: 1, askedAt: new Date("2025-12-30T00:00:00Z") },
        { ticketKey: "MC-4", questionId: 2, askedAt: at("11:00:00") },
      ],
      waitingItems: [
        {
          id: 7,
          kind: "completion_verified",
          state: "pending",
          ticketKey: "MC-5",
          createdAt: at("10:00:00"),
        },
      ],
      pendingEvidence: [{ ticketKey: "MC-6", attemptId: "p", pendingSince: at("09:00:00") }],
    });
    const findings = evaluateConditions(s, thresholds);
    expect(findings.map(fingerprintOf)).toEqual([
      "worker_count_unavailable:dispatch",
      "attempts_lost:MC-1",
      "needs_input_unanswered:MC-3",
      "inbox_waiting:inbox-7",
      "evidence_pending:MC-6",
    ]);
    expect(findings.find((f) => f.condition === "attempts_lost")?.detail).toMatchObject({
      attempts: [{ attemptId: "x" }, { attemptId: "y" }],
    });
    // Only the evidence finding asks for a decision: the operator never decides itself.
    expect(findings.filter((f) => f.decision).map((f) => f.decision?.ticketKey)).toEqual(["MC-6"]);
  });

  it("attempt lease overdue: past the lease by more than the dispatch-stale window, with or without a backlog", () => {
    const overdue = (ticketKey: string, leaseExpiresAt: Date) => ({
      ticketKey,
      attemptId: `a-${ticketKey}`,
      number: 2,
      worker: "agent",
      status: "running",
      leaseExpiresAt,
    });
    const s = emptySnapshot({
      queued: 0,
      overdueAttempts: [overdue("MC-1", at("11:00:00")), overdue("MC-2", at("11:45:00"))],
    });
    const findings = CONDITIONS.attempt_lease_overdue(s, thresholds);
    expect(findings.map(fingerprintOf)).toEqual(["attempt_lease_overdue:MC-1"]);
    expect(findings[0]?.message).toBe(
      "attempt 2 of MC-1 (agent) is still running 60 min after its lease ran out at 2026-01-01T11:00:00.000Z; " +
        "no dispatch cycle has expired it (is `mctl dispatch` running?)",
    );
    const paused = { enabled: false, changedBy: "alice", reason: "freeze" };
    const whilePaused = CONDITIONS.attempt_lease_overdue(
      { ...s, tasks: { ...s.tasks, dispatch: paused } },
      thresholds,
    );
    expect(whilePaused[0]?.message).toMatch(/dispatch is paused by alice, so nothing expires it/);
    expect(CONDITIONS.attempt_lease_overdue({ ...s, overdueAttempts: [] }, thresholds)).toEqual([]);
  });

  it("webhook deliveries failing: one alert for all unhandled failures in the window, naming the newest", () => {
    const failed = (deliveryId: string, iso: string, error = "boom") => ({
      deliveryId,
      event: "issue_comment",
      action: "created",
      repository: "acme/widgets",
      failures: 1,
      lastError: error,
      lastFailedAt: at(iso),
    });
    const s = emptySnapshot({
      failedDeliveries: [
        failed("d-old", "10:00:00"), // outside the 60 min window: not counted
        failed("d-1", "11:30:00"),
        failed("d-2", "11:50:00", "Error: database is down"),
      ],
    });
    const findings = CONDITIONS.webhook_deliveries_failing(s, thresholds);
    expect(findings.map(fingerprintOf)).toEqual(["webhook_deliveries_failing:webhooks"]);
    expect(findings[0]?.message).toMatch(
      /^2 webhook deliveries failed in the last 60 min.*newest: issue_comment\.created d-2 \(acme\/widgets\).*database is down/,
    );
    expect(findings[0]?.detail).toMatchObject({ deliveries: 2, newest: { deliveryId: "d-2" } });
    expect(evaluateConditions(s, thresholds).map(fingerprintOf)).toContain(
      "webhook_deliveries_failing:webhooks",
    );
    // Only old failures (or none): nothing.
    expect(
      CONDITIONS.webhook_deliveries_failing(
        emptySnapshot({ failedDeliveries: [failed("d-old", "10:00:00")] }),
        thresholds,
      ),
    ).toEqual([]);
    expect(CONDITIONS.webhook_deliveries_failing(emptySnapshot(), thresholds)).toEqual([]);
    const one = CONDITIONS.webhook_deliveries_failing(
      emptySnapshot({ failedDeliveries: [failed("d-1", "11:30:00")] }),
      thresholds,
    );
    expect(one[0]?.message).toMatch(/^1 webhook delivery failed/);
  });
});
