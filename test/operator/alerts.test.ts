/**
 * Failure 8: alerts were suppressed for hours while the condition persisted. Here an open alert is
 * updated (never duplicated), a cleared condition resolves it, and a returning one reopens the same
 * alert with its recurrence count incremented — no time window.
 */
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { queryRows } from "../../src/db/database.js";
import { givenClaimedTicket, givenTicket, human, manualClock, testLifecycle } from "../builders/tickets.js";
import { describeEachDriver } from "../helpers/databases.js";
import { givenVerdict, givenVerifying } from "../inbox/support.js";
import { operate } from "./support.js";

describeEachDriver("operator alerts", ({ db }) => {
  it("a live attempt past its lease is an alert with dispatch paused and nothing queued, and resolves when expired", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    const claim = await givenClaimedTicket(lifecycle, { leaseMs: 60_000, start: true });
    await lifecycle.tasks.setEnabled({ task: "dispatch", enabled: false, actor: human, reason: "freeze" });
    const pass = async () => {
      const report = await operate(db(), lifecycle);
      if (report.status !== "completed") throw new Error("operator paused");
      return report;
    };
    const fp = "attempt_lease_overdue:MC-1";
    // Within the lease, and within the grace after it (a running dispatcher would expire it): nothing.
    clock.advance(60_000 + 29 * 60_000);
    expect((await pass()).findings.map((f) => f.condition)).toEqual([]);
    clock.advance(2 * 60_000);
    const report = await pass();
    expect(report.findings).toEqual([
      expect.objectContaining({
        condition: "attempt_lease_overdue",
        subject: "MC-1",
        message:
          "attempt 1 of MC-1 (agent) is still running 31 min after its lease ran out at 2026-01-01T00:01:00.000Z; " +
          "dispatch is paused by octocat, so nothing expires it (mctl maintenance resume dispatch)",
        detail: expect.objectContaining({ attemptId: claim.attempt.id, dispatchEnabled: false }),
      }),
    ]);
    expect(report.changes.map((c) => `${c.change} ${c.fingerprint}`)).toEqual([`opened ${fp}`]);
    // Once a cycle expires the attempt, the alert resolves.
    const expired = await lifecycle.expireAttempt({
      attemptId: claim.attempt.id,
      actor: { kind: "dispatcher", id: "d" },
      backoff: { baseMs: 1_000, capMs: 1_000 },
      fence: null,
    });
    expect(expired.ok).toBe(true);
    expect((await pass()).changes.map((c) => `${c.change} ${c.fingerprint}`)).toContain(`resolved ${fp}`);
  });

  it("recurrence: open → resolved → reopened (1) → resolved → reopened (2), one row throughout", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    await givenTicket(lifecycle);
    // A dispatch cycle just ran, so only the paused condition is in play (not dispatch_stale).
    await lifecycle.recordDispatchCycle({
      holder: "d",
      outcome: "completed",
      startedAt: clock.now(),
      finishedAt: clock.now(),
      counts: {},
      decisions: [],
      timings: {},
    });
    const setDispatch = async (enabled: boolean) => {
      const r = await lifecycle.tasks.setEnabled({ task: "dispatch", enabled, actor: human, reason: "test" });
      expect(r).toMatchObject({ ok: true, changed: true });
    };
    const changes = async () => {
      clock.advance(60_000);
      const report = await operate(db(), lifecycle);
      if (report.status !== "completed") throw new Error("operator paused");
      return report.changes.map((c) => `${c.change} ${c.fingerprint} r${c.recurrence} n${c.seenCount}`);
    };
    const fp = "dispatch_paused_with_backlog:dispatch";

    await setDispatch(false);
    expect(await changes()).toEqual([`opened ${fp} r0 n1`]);
    expect(await changes()).toEqual([`updated ${fp} r0 n2`]);
    await setDispatch(true);
    expect(await changes()).toEqual([`resolved ${fp} r0 n2`]);
    expect(await changes()).toEqual([]);
    await setDispatch(false);
    expect(await changes()).toEqual([`reopened ${fp} r1 n3`]);
    await setDispatch(true);
    expect(await changes()).toEqual([`resolved ${fp} r1 n3`]);
    await setDispatch(false);
    expect(await changes()).toEqual([`reopened ${fp} r2 n4`]);

    const rows = await lifecycle.alerts.list({ limit: 10 });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      fingerprint: fp,
      status: "open",
      recurrence: 2,
      seenCount: 4,
      resolvedAt: null,
    });
    expect(rows[0]?.firstSeenAt.getTime()).toBeLessThan(rows[0]?.openedAt.getTime() ?? 0);
  });

  it("evidence pending too long files one needs_decision item per open period of its alert", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    const { ticket, attemptId } = await givenVerifying(lifecycle);
    await givenVerdict(lifecycle, { ticketKey: ticket.key, attemptId }, "pending");
    clock.advance(121 * 60_000);
    const first = await operate(db(), lifecycle);
    expect(first).toMatchObject({
      status: "completed",
      filed: [{ created: true, idempotencyKey: `needs_decision:evidence_pending:${ticket.key}#0` }],
    });
    const second = await operate(db(), lifecycle);
    expect(second).toMatchObject({ filed: [{ created: false }] });
    const items = await lifecycle.inbox.ofTicket(ticket.id);
    expect(items.filter((i) => i.kind === "needs_decision")).toMatchObject([
      {
        audience: "person",
        state: "pending",
        payload: { question: expect.stringMatching(/accept without it, reject, or hold/) },
      },
    ]);
    // The operator filed an item; it did not decide anything.
    expect((await lifecycle.findTicket(ticket.key))?.state).toBe("verifying");
  });

  it("a paused operator checks nothing and resolves nothing", async () => {
    const lifecycle = testLifecycle(db());
    await givenTicket(lifecycle);
    await lifecycle.tasks.setEnabled({ task: "dispatch", enabled: false, actor: human, reason: "x" });
    await operate(db(), lifecycle);
    await lifecycle.tasks.setEnabled({ task: "dispatch", enabled: true, actor: human, reason: "x" });
    await lifecycle.tasks.setEnabled({ task: "operate", enabled: false, actor: human, reason: "noisy" });
    expect(await operate(db(), lifecycle)).toMatchObject({ status: "paused" });
    const [row] = await queryRows<{ status: string }>(db(), sql`select status from alerts`);
    expect(row?.status).toBe("open");
  });
});
