import type { Finding, OPERATOR_CONDITIONS } from "../domain/alerts.js";
import type { OperatorThresholds } from "./port.js";
import type { Snapshot } from "./snapshot.js";

/**
 * The operator's conditions: pure functions from a snapshot to findings (no I/O, no clock of
 * their own: `snapshot.now`). Each finding's subject makes its fingerprint; a condition returns
 * every subject for which it holds now, and nothing for the ones that cleared.
 */
export type Condition = (snapshot: Snapshot, thresholds: OperatorThresholds) => Finding[];

const minutes = (ms: number) => Math.round(ms / 60_000);
const olderThan = (snapshot: Snapshot, at: Date, ms: number) => snapshot.now.getTime() - at.getTime() > ms;

export const dispatchStale: Condition = (s, t) => {
  // A paused dispatcher is its own condition (below); a stale one with nothing queued harms nobody.
  if (!s.tasks.dispatch.enabled || s.queued === 0) return [];
  if (s.lastCycle && !olderThan(s, s.lastCycle.startedAt, t.dispatchStaleMs)) return [];
  const since = s.lastCycle
    ? `since ${s.lastCycle.startedAt.toISOString()} (${minutes(s.now.getTime() - s.lastCycle.startedAt.getTime())} min)`
    : "ever";
  return [
    {
      condition: "dispatch_stale",
      subject: "dispatch",
      severity: "critical",
      message: `no dispatch cycle ${since} while ${s.queued} ticket(s) are queued`,
      detail: { lastCycleAt: s.lastCycle?.startedAt.toISOString() ?? null, queued: s.queued },
    },
  ];
};

export const dispatchPausedWithBacklog: Condition = (s) => {
  const flag = s.tasks.dispatch;
  if (flag.enabled || s.queued === 0) return [];
  return [
    {
      condition: "dispatch_paused_with_backlog",
      subject: "dispatch",
      severity: "warning",
      message:
        `dispatch is paused${flag.changedBy ? ` by ${flag.changedBy}` : ""}${flag.reason ? ` (${flag.reason})` : ""} ` +
        `while ${s.queued} ticket(s) are queued; only a maintainer resumes it (mctl maintenance resume dispatch)`,
      detail: { queued: s.queued, pausedBy: flag.changedBy, reason: flag.reason },
    },
  ];
};

export const workerCountUnavailable: Condition = (s) => {
  const errors = s.lastCycle?.workerCountErrors ?? [];
  if (!errors.length) return [];
  return [
    {
      condition: "worker_count_unavailable",
      subject: "dispatch",
      severity: "critical",
      message: `the last dispatch cycle could not count workers (no slots were used): ${errors.map((e) => `${e.source}: ${e.message}`).join("; ")}`,
      detail: { errors: errors.map((e) => ({ ...e })) },
    },
  ];
};

export const attemptsLost: Condition = (s, t) => {
  const byTicket = new Map<string, { attemptId: string; endedAt: string }[]>();
  for (const a of s.lostAttempts) {
    if (olderThan(s, a.endedAt, t.lostAttemptsWindowMs)) continue;
    byTicket.set(a.ticketKey, [
      ...(byTicket.get(a.ticketKey) ?? []),
      { attemptId: a.attemptId, endedAt: a.endedAt.toISOString() },
    ]);
  }
  return [...byTicket].map(([ticket, lost]) => ({
    condition: "attempts_lost",
    subject: ticket,
    severity: "warning",
    message: `${lost.length} attempt(s) of ${ticket} lost their lease in the last ${minutes(t.lostAttemptsWindowMs)} min`,
    detail: { attempts: lost },
  }));
};

/**
 * A live attempt (`launching`/`running`) past its lease for longer than `dispatch_stale_minutes`:
 * only a dispatch cycle expires a lease, so a paused, stopped or failing dispatcher leaves it
 * `in_progress` for ever. Deliberately independent of the backlog: with dispatch paused and nothing
 * queued, no other condition says so. The grace is the dispatch-stale window because a healthy
 * dispatcher expires such an attempt at its next cycle.
 */
export const attemptLeaseOverdue: Condition = (s, t) => {
  const flag = s.tasks.dispatch;
  const why = flag.enabled
    ? "no dispatch cycle has expired it (is `mctl dispatch` running?)"
    : `dispatch is paused${flag.changedBy ? ` by ${flag.changedBy}` : ""}, so nothing expires it (mctl maintenance resume dispatch)`;
  return s.overdueAttempts
    .filter((a) => olderThan(s, a.leaseExpiresAt, t.dispatchStaleMs))
    .map((a) => ({
      condition: "attempt_lease_overdue",
      subject: a.ticketKey,
      severity: "warning",
      message:
        `attempt ${a.number} of ${a.ticketKey} (${a.worker}) is still ${a.status} ` +
        `${minutes(s.now.getTime() - a.leaseExpiresAt.getTime())} min after its lease ran out at ` +
        `${a.leaseExpiresAt.toISOString()}; ${why}`,
      detail: {
        attemptId: a.attemptId,
        number: a.number,
        worker: a.worker,
        status: a.status,
        leaseExpiresAt: a.leaseExpiresAt.toISOString(),
        dispatchEnabled: flag.enabled,
      },
    }));
};

export const needsInputUnanswered: Condition = (s, t) =>
  s.unansweredQuestions
    .filter((q) => olderThan(s, q.askedAt, t.needsInputUnansweredMs))
    .map((q) => ({
      condition: "needs_input_unanswered",
      subject: q.ticketKey,
      severity: "warning",
      message: `${q.ticketKey} has waited for an answer since ${q.askedAt.toISOString()}`,
      detail: { questionId: q.questionId, askedAt: q.askedAt.toISOString() },
    }));

export const inboxWaiting: Condition = (s, t) =>
  s.waitingItems
    .filter((i) => olderThan(s, i.createdAt, t.inboxWaitingMs))
    .map((i) => ({
      condition: "inbox_waiting",
      subject: `inbox-${i.id}`,
      severity: "warning",
      message: `inbox item ${i.id} (${i.kind}${i.ticketKey ? ` of ${i.ticketKey}` : ""}) is still ${i.state} after ${minutes(s.now.getTime() - i.createdAt.getTime())} min`,
      detail: { item: i.id, kind: i.kind, state: i.state, ticket: i.ticketKey },
    }));

/** Evidence that stays pending needs a person: accept without it, reject, or wait (an inbox item). */
export const evidencePending: Condition = (s, t) =>
  s.pendingEvidence
    .filter((p) => olderThan(s, p.pendingSince, t.evidencePendingMs))
    .map((p) => ({
      condition: "evidence_pending",
      subject: p.ticketKey,
      severity: "warning",
      message: `evidence of ${p.ticketKey} has been pending since ${p.pendingSince.toISOString()}`,
      detail: { attemptId: p.attemptId, pendingSince: p.pendingSince.toISOString() },
      decision: {
        ticketKey: p.ticketKey,
        question: `The evidence of ${p.ticketKey} has been pending for over ${minutes(t.evidencePendingMs)} min: accept without it, reject, or hold?`,
      },
    }));

/**
 * Webhook deliveries whose handler threw and that no redelivery has handled since: one alert for
 * all of them (subject `webhooks`), naming how many and the newest failure. It resolves once every
 * such delivery is handled (GitHub's redelivery, `mctl webhooks redeliver`) or its failure left
 * the window.
 */
export const webhookDeliveriesFailing: Condition = (s, t) => {
  const failing = s.failedDeliveries
    .filter((f) => !olderThan(s, f.lastFailedAt, t.webhookFailureWindowMs))
    .toSorted((a, b) => b.lastFailedAt.getTime() - a.lastFailedAt.getTime());
  const newest = failing[0];
  if (!newest) return [];
  const name = newest.action ? `${newest.event}.${newest.action}` : newest.event;
  return [
    {
      condition: "webhook_deliveries_failing",
      subject: "webhooks",
      severity: "warning",
      message:
        `${failing.length} webhook deliver${failing.length === 1 ? "y" : "ies"} failed in the last ` +
        `${minutes(t.webhookFailureWindowMs)} min and were not handled since; newest: ${name} ` +
        `${newest.deliveryId}${newest.repository ? ` (${newest.repository})` : ""} at ` +
        `${newest.lastFailedAt.toISOString()}: ${newest.lastError.slice(0, 200)} ` +
        `(mctl webhooks redeliver asks GitHub to redeliver them)`,
      detail: {
        deliveries: failing.length,
        newest: {
          deliveryId: newest.deliveryId,
          event: newest.event,
          action: newest.action,
          repository: newest.repository,
          failures: newest.failures,
          error: newest.lastError,
          failedAt: newest.lastFailedAt.toISOString(),
        },
        deliveryIds: failing.slice(0, 20).map((f) => f.deliveryId),
      },
    },
  ];
};

export const CONDITIONS: Readonly<Record<(typeof OPERATOR_CONDITIONS)[number], Condition>> = {
  dispatch_stale: dispatchStale,
  dispatch_paused_with_backlog: dispatchPausedWithBacklog,
  worker_count_unavailable: workerCountUnavailable,
  attempts_lost: attemptsLost,
  attempt_lease_overdue: attemptLeaseOverdue,
  needs_input_unanswered: needsInputUnanswered,
  inbox_waiting: inboxWaiting,
  evidence_pending: evidencePending,
  webhook_deliveries_failing: webhookDeliveriesFailing,
};

/** Every condition over one snapshot. */
export function evaluateConditions(snapshot: Snapshot, thresholds: OperatorThresholds): Finding[] {
  return Object.values(CONDITIONS).flatMap((condition) => condition(snapshot, thresholds));
}
