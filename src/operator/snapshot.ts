import { and, asc, desc, eq, gte, inArray, isNull, lte, ne, sql } from "drizzle-orm";
import type { Task } from "../domain/tasks.js";
import { type Database, type Executor, queryRows } from "../db/database.js";
import {
  attempts,
  dispatchCycles,
  evidenceVerdicts,
  inboxItems,
  taskSettings,
  ticketQuestions,
  tickets,
} from "../db/schema.js";
import { unresolvedWebhookFailures } from "../store/webhook-failures.js";
import type { OperatorThresholds, SnapshotReader } from "./port.js";

/** Everything the operator's conditions look at, read at one moment. */
export interface Snapshot {
  readonly now: Date;
  readonly tasks: Readonly<Record<Task, TaskFlag>>;
  readonly lastCycle: {
    readonly startedAt: Date;
    readonly outcome: string;
    readonly workerCountErrors: readonly { source: string; message: string }[];
  } | null;
  /** `todo` tickets that are not held: the dispatcher's backlog. */
  readonly queued: number;
  readonly lostAttempts: readonly { ticketKey: string; attemptId: string; endedAt: Date }[];
  /** Attempts still `launching`/`running` whose lease ran out before the cutoff (nothing expired them). */
  readonly overdueAttempts: readonly {
    ticketKey: string;
    attemptId: string;
    number: number;
    worker: string;
    status: string;
    leaseExpiresAt: Date;
  }[];
  readonly unansweredQuestions: readonly { ticketKey: string; questionId: number; askedAt: Date }[];
  readonly waitingItems: readonly {
    id: number;
    kind: string;
    state: string;
    ticketKey: string | null;
    createdAt: Date;
  }[];
  readonly pendingEvidence: readonly { ticketKey: string; attemptId: string; pendingSince: Date }[];
  /** Webhook deliveries that failed within the window and were not handled since, newest first. */
  readonly failedDeliveries: readonly {
    deliveryId: string;
    event: string;
    action: string | null;
    repository: string | null;
    failures: number;
    lastError: string;
    lastFailedAt: Date;
  }[];
}

export interface TaskFlag {
  readonly enabled: boolean;
  readonly changedBy: string | null;
  readonly reason: string | null;
}

const LIMIT = 500;

/**
 * Reads a snapshot in a READ ONLY transaction: the database itself refuses any write made through
 * it. The cutoffs only bound the reads; the conditions judge the times again.
 */
export function snapshotReader(db: Database): SnapshotReader {
  return {
    read: (now, thresholds) =>
      db.transaction(async (tx) => {
        await tx.execute(sql`set transaction read only`);
        return readSnapshot(tx, now, thresholds);
      }),
  };
}

async function readSnapshot(db: Executor, now: Date, t: OperatorThresholds): Promise<Snapshot> {
  const before = (ms: number) => new Date(now.getTime() - ms);
  const flags = await db.select().from(taskSettings);
  const flag = (task: Task): TaskFlag => {
    const row = flags.find((f) => f.task === task);
    return { enabled: row?.enabled ?? true, changedBy: row?.changedBy ?? null, reason: row?.reason ?? null };
  };
  const [cycle] = await db
    .select()
    .from(dispatchCycles)
    .where(eq(dispatchCycles.dryRun, false))
    .orderBy(desc(dispatchCycles.startedAt), desc(dispatchCycles.id))
    .limit(1);
  const [queued] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(tickets)
    .where(and(eq(tickets.state, "todo"), isNull(tickets.hold)));
  const lostAttempts = await db
    .select({ ticketKey: tickets.key, attemptId: attempts.id, endedAt: attempts.endedAt })
    .from(attempts)
    .innerJoin(tickets, eq(tickets.id, attempts.ticketId))
    .where(and(eq(attempts.status, "lost"), gte(attempts.endedAt, before(t.lostAttemptsWindowMs))))
    .orderBy(asc(attempts.endedAt))
    .limit(LIMIT);
  // Read whether or not dispatch runs or anything is queued: a paused dispatcher expires nothing.
  const overdueAttempts = await db
    .select({
      ticketKey: tickets.key,
      attemptId: attempts.id,
      number: attempts.number,
      worker: attempts.worker,
      status: attempts.status,
      leaseExpiresAt: attempts.leaseExpiresAt,
    })
    .from(attempts)
    .innerJoin(tickets, eq(tickets.id, attempts.ticketId))
    .where(
      and(
        inArray(attempts.status, ["launching", "running"]),
        lte(attempts.leaseExpiresAt, before(t.dispatchStaleMs)),
      ),
    )
    .orderBy(asc(attempts.leaseExpiresAt))
    .limit(LIMIT);
  const unansweredQuestions = await queryRows<{
    ticketKey: string;
    questionId: number;
    askedAt: Date | string;
  }>(
    db,
    sql`select t.key as "ticketKey", q.id::int as "questionId", q.asked_at as "askedAt"
        from ${ticketQuestions} q join ${tickets} t on t.id = q.ticket_id
        where t.state = 'needs_input' and q.answer is null
          and q.id = (select max(id) from ${ticketQuestions} where ticket_id = t.id)
          and q.asked_at <= ${before(t.needsInputUnansweredMs).toISOString()}::timestamptz
        order by q.asked_at limit ${LIMIT}`,
  );
  const waitingItems = await db
    .select({
      id: inboxItems.id,
      kind: inboxItems.kind,
      state: inboxItems.state,
      ticketKey: tickets.key,
      createdAt: inboxItems.createdAt,
    })
    .from(inboxItems)
    .leftJoin(tickets, eq(tickets.id, inboxItems.ticketId))
    .where(and(ne(inboxItems.state, "acted"), lte(inboxItems.createdAt, before(t.inboxWaitingMs))))
    .orderBy(asc(inboxItems.id))
    .limit(LIMIT);
  const pendingEvidence = await db
    .select({
      ticketKey: tickets.key,
      attemptId: evidenceVerdicts.attemptId,
      pendingSince: evidenceVerdicts.pendingSince,
    })
    .from(evidenceVerdicts)
    .innerJoin(tickets, eq(tickets.id, evidenceVerdicts.ticketId))
    .where(
      and(
        eq(evidenceVerdicts.status, "pending"),
        lte(evidenceVerdicts.pendingSince, before(t.evidencePendingMs)),
        eq(tickets.state, "verifying"),
        eq(tickets.currentAttemptId, evidenceVerdicts.attemptId),
        sql`${evidenceVerdicts.id} = (select max(v.id) from evidence_verdicts v where v.attempt_id = ${evidenceVerdicts.attemptId})`,
      ),
    )
    .orderBy(asc(evidenceVerdicts.pendingSince))
    .limit(LIMIT);
  // The store's own read of `webhook_failures`, run inside this read-only transaction.
  const failedDeliveries = await unresolvedWebhookFailures(db, {
    since: before(t.webhookFailureWindowMs),
    limit: LIMIT,
  });
  return {
    now,
    tasks: {
      dispatch: flag("dispatch"),
      operate: flag("operate"),
      orchestrate: flag("orchestrate"),
      redeliver: flag("redeliver"),
    },
    lastCycle: cycle
      ? {
          startedAt: cycle.startedAt,
          outcome: cycle.outcome,
          workerCountErrors: workerCountErrors(cycle.decisions),
        }
      : null,
    queued: queued?.n ?? 0,
    lostAttempts: lostAttempts.flatMap((a) => (a.endedAt ? [{ ...a, endedAt: a.endedAt }] : [])),
    overdueAttempts,
    unansweredQuestions: unansweredQuestions.map((q) => ({ ...q, askedAt: new Date(q.askedAt) })),
    waitingItems,
    pendingEvidence: pendingEvidence.flatMap((p) =>
      p.pendingSince ? [{ ...p, pendingSince: p.pendingSince }] : [],
    ),
    failedDeliveries,
  };
}

function workerCountErrors(decisions: readonly unknown[]): { source: string; message: string }[] {
  const errors: { source: string; message: string }[] = [];
  for (const d of decisions) {
    const decision = d as { code?: unknown; errors?: unknown };
    if (decision.code !== "worker_count_unavailable") continue;
    const list = Array.isArray(decision.errors)
      ? (decision.errors as { source?: unknown; message?: unknown }[])
      : [];
    if (!list.length) errors.push({ source: "unknown", message: "worker count unavailable" });
    for (const e of list) errors.push({ source: String(e.source ?? "?"), message: String(e.message ?? "") });
  }
  return errors;
}
