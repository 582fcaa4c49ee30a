import { and, asc, desc, eq, inArray } from "drizzle-orm";
import {
  type AlertChange,
  type AlertCondition,
  type AlertStatus,
  type Finding,
  type OperatorPassRecord,
  type RaisedAlertCondition,
  fingerprintOf,
} from "../domain/alerts.js";
import type { Executor, Transaction } from "../db/database.js";
import { retryTransaction } from "../db/retry.js";
import { type AlertRow, alerts, tickets } from "../db/schema.js";
import type { LifecycleDeps } from "./deps.js";
import { enqueueInTx } from "./inbox.js";

/**
 * Records one operator pass, in one transaction:
 * - a finding with no alert opens one; with an open alert updates it (last seen, count), never a
 *   second row; with a resolved alert reopens that alert and increments its recurrence;
 * - an open alert of a condition that was checked in this pass but not found is resolved (a
 *   condition that could not be checked resolves nothing);
 * - a finding that asks for a decision files a `needs_decision` inbox item, once per open period
 *   of its alert (the key carries the recurrence).
 * This is the operator's whole write port: it reaches no ticket, attempt or task setting.
 */
export async function recordOperatorPass(
  deps: LifecycleDeps,
  input: { findings: readonly Finding[]; checked: readonly AlertCondition[] },
): Promise<OperatorPassRecord> {
  const findings = [...new Map(input.findings.map((f) => [fingerprintOf(f), f])).values()];
  return retryTransaction(() =>
    deps.db.transaction(async (tx) => {
      const now = deps.clock.now();
      const changes: AlertChange[] = [];
      const filed: OperatorPassRecord["filed"][number][] = [];
      for (const finding of findings) {
        const { alert, change } = await upsertAlert(tx, now, finding);
        changes.push(changeOf(change, alert));
        if (finding.decision) {
          const [ticket] = await tx.select().from(tickets).where(eq(tickets.key, finding.decision.ticketKey));
          if (!ticket) continue;
          const key = `needs_decision:${alert.fingerprint}#${alert.recurrence}`;
          const { item, created } = await enqueueInTx(tx, now, {
            kind: "needs_decision",
            ticketId: ticket.id,
            attemptId: ticket.currentAttemptId,
            payload: {
              question: finding.decision.question,
              alertId: alert.id,
              fingerprint: alert.fingerprint,
            },
            idempotencyKey: key,
          });
          filed.push({ itemId: item.id, idempotencyKey: key, created });
        }
      }
      const found = new Set(findings.map(fingerprintOf));
      const open = input.checked.length
        ? await tx
            .select()
            .from(alerts)
            .where(and(eq(alerts.status, "open"), inArray(alerts.condition, [...input.checked])))
            .orderBy(asc(alerts.id))
            .for("update")
        : [];
      for (const alert of open) {
        if (found.has(alert.fingerprint)) continue;
        const [resolved] = await tx
          .update(alerts)
          .set({ status: "resolved", resolvedAt: now, updatedAt: now })
          .where(eq(alerts.id, alert.id))
          .returning();
        if (resolved) changes.push(changeOf("resolved", resolved));
      }
      return { changes, filed };
    }),
  );
}

/**
 * Raises (opens, updates or reopens) the alert of a finding inside the caller's transaction: for
 * conditions raised where they happen (RAISED_ALERT_CONDITIONS), not by an operator pass.
 */
export async function raiseAlertInTx(tx: Transaction, now: Date, finding: Finding): Promise<AlertRow> {
  return (await upsertAlert(tx, now, finding)).alert;
}

/** Raises (opens, updates or reopens) the alert of a raised condition's finding, in its own transaction. */
export async function raiseAlert(
  deps: LifecycleDeps,
  finding: Finding & { condition: RaisedAlertCondition },
) {
  return retryTransaction(() => deps.db.transaction((tx) => raiseAlertInTx(tx, deps.clock.now(), finding)));
}

/** Resolves the open alerts of `condition` for these subjects (a raised condition that cleared). */
export async function resolveAlerts(
  deps: LifecycleDeps,
  input: { condition: RaisedAlertCondition; subjects: readonly string[] },
): Promise<number> {
  if (!input.subjects.length) return 0;
  const now = deps.clock.now();
  const rows = await deps.db
    .update(alerts)
    .set({ status: "resolved", resolvedAt: now, updatedAt: now })
    .where(
      and(
        eq(alerts.status, "open"),
        inArray(
          alerts.fingerprint,
          input.subjects.map((subject) => fingerprintOf({ condition: input.condition, subject })),
        ),
      ),
    )
    .returning({ id: alerts.id });
  return rows.length;
}

async function upsertAlert(
  tx: Transaction,
  now: Date,
  finding: Finding,
): Promise<{ alert: AlertRow; change: "opened" | "updated" | "reopened" }> {
  const fingerprint = fingerprintOf(finding);
  const [inserted] = await tx
    .insert(alerts)
    .values({
      fingerprint,
      condition: finding.condition,
      subject: finding.subject,
      severity: finding.severity,
      status: "open",
      message: finding.message,
      detail: { ...finding.detail },
      firstSeenAt: now,
      lastSeenAt: now,
      openedAt: now,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing({ target: alerts.fingerprint })
    .returning();
  if (inserted) return { alert: inserted, change: "opened" };
  const [existing] = await tx.select().from(alerts).where(eq(alerts.fingerprint, fingerprint)).for("update");
  if (!existing) throw new Error(`alert ${fingerprint} neither inserted nor found`);
  const reopen = existing.status === "resolved";
  const [updated] = await tx
    .update(alerts)
    .set({
      status: "open",
      severity: finding.severity,
      message: finding.message,
      detail: { ...finding.detail },
      lastSeenAt: now,
      seenCount: existing.seenCount + 1,
      ...(reopen ? { recurrence: existing.recurrence + 1, openedAt: now, resolvedAt: null } : {}),
      updatedAt: now,
    })
    .where(eq(alerts.id, existing.id))
    .returning();
  if (!updated) throw new Error(`alert ${fingerprint} update returned no row`);
  return { alert: updated, change: reopen ? "reopened" : "updated" };
}

function changeOf(change: AlertChange["change"], alert: AlertRow): AlertChange {
  return {
    change,
    alertId: alert.id,
    fingerprint: alert.fingerprint,
    recurrence: alert.recurrence,
    seenCount: alert.seenCount,
    message: alert.message,
  };
}

/** Records the GitHub issue that mirrors an alert (for the app's mirror). */
export async function linkAlertIssue(deps: LifecycleDeps, input: { alertId: number; issueNumber: number }) {
  const [row] = await deps.db
    .update(alerts)
    .set({ issueNumber: input.issueNumber, updatedAt: deps.clock.now() })
    .where(eq(alerts.id, input.alertId))
    .returning();
  return row;
}

// Reads

export async function listAlerts(
  db: Executor,
  filter: { status?: AlertStatus | undefined; limit: number },
): Promise<AlertRow[]> {
  return db
    .select()
    .from(alerts)
    .where(filter.status ? eq(alerts.status, filter.status) : undefined)
    .orderBy(desc(alerts.lastSeenAt), desc(alerts.id))
    .limit(filter.limit);
}

export async function findAlert(db: Executor, fingerprint: string): Promise<AlertRow | undefined> {
  const [row] = await db.select().from(alerts).where(eq(alerts.fingerprint, fingerprint));
  return row;
}
