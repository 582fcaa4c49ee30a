/**
 * The operator over random database states: whatever it finds, tickets, attempts, ticket events
 * and task settings are byte-for-byte what they were before it ran (it may write alerts and file
 * inbox items, nothing else).
 */

import { sql } from "drizzle-orm";
import fc from "fast-check";
import { expect, it } from "vitest";
import { type Database, queryRows } from "../../src/db/database.js";
import { TASKS } from "../../src/domain/tasks.js";
import type { Lifecycle } from "../../src/lifecycle/index.js";
import type { TaskFlag } from "../../src/operator/snapshot.js";
import { dispatcher, givenTicket, human, manualClock, testLifecycle } from "../builders/tickets.js";
import { describeEachDriver } from "../helpers/databases.js";
import { givenVerdict, givenVerifying } from "../inbox/support.js";
import { operate } from "./support.js";

/** Tables the operator must never change, as text, row by row. */
const GUARDED = [
  "tickets",
  "attempts",
  "ticket_events",
  "ticket_questions",
  "task_settings",
  "task_setting_events",
  "leases",
];

async function dump(db: Database): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of GUARDED) {
    const rows = await queryRows<{ row: string }>(
      db,
      sql.raw(`select t::text as row from ${table} t order by 1`),
    );
    out[table] = rows.map((r) => r.row);
  }
  return out;
}

async function reset(db: Database): Promise<void> {
  const tables = await queryRows<{ name: string }>(
    db,
    sql`select quote_ident(tablename) as name from pg_tables where schemaname = 'public'`,
  );
  await db.execute(sql.raw(`truncate ${tables.map((t) => t.name).join(", ")} restart identity cascade`));
}

type Step =
  | { op: "ticket" }
  | { op: "claim"; pick: number; next: "none" | "start" | "complete" | "ask" | "fail" }
  | { op: "verdict"; pick: number; status: "pass" | "fail" | "pending" }
  | { op: "completion"; verdict: "pass" | "fail" | "pending" | "none" }
  | { op: "lose"; pick: number }
  | { op: "hold"; pick: number }
  | { op: "task"; task: (typeof TASKS)[number]; enabled: boolean }
  | { op: "cycle"; workersUnavailable: boolean }
  | { op: "item"; pick: number }
  | { op: "wait"; minutes: number };

/** Waits on both sides of every threshold (fast-check's integers favour tiny values). */
const waitMinutes = fc.constantFrom(0, 5, 31, 61, 121, 1441, 3000);

// Weighted towards work in flight (verifying with pending evidence, questions, lost attempts), where
// the operator has the most to say and the most it could wrongly touch.
const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.constant({ op: "ticket" as const }), weight: 3 },
  {
    arbitrary: fc.record({
      op: fc.constant("claim" as const),
      pick: fc.nat(20),
      next: fc.constantFrom("none", "start", "complete", "complete", "ask", "fail"),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      op: fc.constant("verdict" as const),
      pick: fc.nat(20),
      status: fc.constantFrom("pass", "fail", "pending", "pending"),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      op: fc.constant("completion" as const),
      verdict: fc.constantFrom("pass", "fail", "pending", "none"),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ op: fc.constant("lose" as const), pick: fc.nat(20) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("hold" as const), pick: fc.nat(20) }), weight: 1 },
  {
    arbitrary: fc.record({
      op: fc.constant("task" as const),
      task: fc.constantFrom(...TASKS.filter((t) => t !== "operate")),
      enabled: fc.boolean(),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({ op: fc.constant("cycle" as const), workersUnavailable: fc.boolean() }),
    weight: 1,
  },
  { arbitrary: fc.record({ op: fc.constant("item" as const), pick: fc.nat(20) }), weight: 1 },
  {
    arbitrary: fc.record({ op: fc.constant("wait" as const), minutes: waitMinutes }),
    weight: 1,
  },
);

/** Applies one step through the lifecycle; steps that do not fit the current state do nothing. */
async function apply(lifecycle: Lifecycle, clock: ReturnType<typeof manualClock>, s: Step): Promise<void> {
  const all = await lifecycle.listTickets({ limit: 100 });
  const pick = (n: number, state?: string) => {
    const pool = state ? all.filter((t) => t.state === state) : all;
    return pool.length ? pool[n % pool.length] : undefined;
  };
  switch (s.op) {
    case "ticket":
      await givenTicket(lifecycle, { title: `t${all.length}` });
      return;
    case "claim": {
      const t = pick(s.pick, "todo");
      if (!t || t.hold) return;
      const c = await lifecycle.claim({
        ticket: t.key,
        expectedVersion: t.version,
        worker: "agent",
        actor: dispatcher,
        leaseMs: 600_000,
        fence: null,
      });
      if (!c.ok || s.next === "none") return;
      await lifecycle.startAttempt({
        attemptId: c.attempt.id,
        launchKey: c.attempt.launchKey,
        leaseMs: 600_000,
      });
      const worker = { kind: "worker" as const, id: "agent" };
      if (s.next === "complete")
        await lifecycle.completeAttempt({ attemptId: c.attempt.id, actor: worker, evidence: {} });
      if (s.next === "ask")
        await lifecycle.askQuestion({ attemptId: c.attempt.id, actor: worker, question: "which one?" });
      if (s.next === "fail")
        await lifecycle.failAttempt({
          attemptId: c.attempt.id,
          actor: worker,
          reason: "boom",
          backoff: { baseMs: 1000, capMs: 2000 },
        });
      return;
    }
    case "verdict": {
      const t = pick(s.pick, "verifying");
      if (t?.currentAttemptId)
        await givenVerdict(lifecycle, { ticketKey: t.key, attemptId: t.currentAttemptId }, s.status);
      return;
    }
    case "completion": {
      const { ticket, attemptId } = await givenVerifying(lifecycle, `c${all.length}`);
      if (s.verdict !== "none")
        await givenVerdict(lifecycle, { ticketKey: ticket.key, attemptId }, s.verdict);
      return;
    }
    case "lose": {
      const t = pick(s.pick, "in_progress");
      if (t?.currentAttemptId)
        await lifecycle.expireAttempt({
          attemptId: t.currentAttemptId,
          actor: dispatcher,
          backoff: { baseMs: 1000, capMs: 2000 },
          fence: null,
        });
      return;
    }
    case "hold": {
      const t = pick(s.pick, "todo");
      if (t && !t.hold)
        await lifecycle.holdTicket({
          ticket: t.key,
          expectedVersion: t.version,
          hold: "max_attempts_reached",
          actor: dispatcher,
          fence: null,
        });
      return;
    }
    case "task":
      await lifecycle.tasks.setEnabled({
        task: s.task,
        enabled: s.enabled,
        actor: human,
        reason: "property",
      });
      return;
    case "cycle":
      await lifecycle.recordDispatchCycle({
        holder: "d",
        outcome: "completed",
        startedAt: clock.now(),
        finishedAt: clock.now(),
        counts: {},
        decisions: s.workersUnavailable
          ? [{ code: "worker_count_unavailable", errors: [{ source: "github", message: "502" }] }]
          : [],
        timings: {},
      });
      return;
    case "item": {
      const t = pick(s.pick);
      if (t)
        await lifecycle.inbox.enqueue({
          kind: "needs_decision",
          ticketId: t.id,
          payload: {},
          idempotencyKey: `p-${t.id}-${s.pick}`,
        });
      return;
    }
    case "wait":
      clock.advance(s.minutes * 60_000);
      return;
  }
}

describeEachDriver("operator over random states", ({ db, driver }) => {
  it("never changes tickets, attempts, events or task settings", async () => {
    let passes = 0;
    let findings = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 3, maxLength: 25, size: "medium" }),
        fc.array(waitMinutes, { minLength: 1, maxLength: 3 }),
        async (steps, waits) => {
          await reset(db());
          const clock = manualClock();
          const lifecycle = testLifecycle(db(), clock);
          for (const s of steps) await apply(lifecycle, clock, s);
          const before = await dump(db());
          const dispatchBefore: TaskFlag["enabled"] = (await lifecycle.tasks.setting("dispatch")).enabled;
          for (const minutes of waits) {
            clock.advance(minutes * 60_000);
            const report = await operate(db(), lifecycle);
            if (report.status === "completed") {
              passes += 1;
              findings += report.findings.length;
              console.log("F", report.findings.map((f) => f.condition).join(","), report.filed.length);
            }
          }
          expect(await dump(db())).toEqual(before);
          expect((await lifecycle.tasks.setting("dispatch")).enabled).toBe(dispatchBefore);
        },
      ),
      { numRuns: driver === "pglite" ? 20 : 10 },
    );
    // The property ran the operator for real (it is never paused here).
    expect(passes).toBeGreaterThan(0);
    // … over states where it had something to say (else the property would prove little).
    expect(findings).toBeGreaterThan(0);
  });
});
