import { and, asc, desc, eq, lte, sql } from "drizzle-orm";
import type { Executor, Transaction } from "../db/database.js";
import { retryTransaction } from "../db/retry.js";
import {
  type AttemptRow,
  attempts,
  type EvidenceCheckRunRow,
  type EvidenceDecisionRequestRow,
  type EvidenceVerdictRow,
  evidenceCheckRuns,
  evidenceDecisionRequests,
  evidenceVerdicts,
  type TicketRow,
  tickets,
} from "../db/schema.js";
import type { Actor } from "../domain/actors.js";
import { type BackoffPolicy, nextEligibleAt } from "../domain/backoff.js";
import type { ScheduledReevaluation } from "../domain/reevaluation-requests.js";
import type { LifecycleDeps } from "./deps.js";
import { enqueueInTx } from "./inbox.js";
import { insertReevaluation } from "./reevaluation-requests.js";
import type { NotFound, TransitionResult } from "./results.js";
import { guardedTransition } from "./transition.js";

/**
 * Evidence verdicts: stored with history, and what a verdict does to its ticket, in one transaction.
 * - fail: `verifying → todo` (`evidence_failed`) with back-off, open decision requests withdrawn;
 * - pass: a decision request for the orchestrator (never a ticket transition: the verifier does
 *   not close tickets);
 * - pending: nothing, except that an open decision request is withdrawn (the proof is gone).
 * A verdict applies only while the ticket is `verifying` with that attempt as its current one.
 */

export interface VerdictInput {
  readonly ticketKey: string;
  readonly attemptId: string;
  readonly repository: string;
  readonly sha: string | null;
  readonly status: "pass" | "fail" | "pending";
  readonly criteria: readonly unknown[];
  readonly summary: string;
  readonly fingerprint: string;
  readonly actor: Actor;
  readonly backoff: BackoffPolicy;
  /**
   * A re-evaluation to run later, recorded with the verdict (idempotent by its key): the verifier's
   * re-check at the end of a missing commit's grace, which no webhook would otherwise bring.
   */
  readonly recheck?: ScheduledReevaluation;
}

export type TicketOutcome = "none" | "decision_requested" | "returned_to_todo" | `not_applied: ${string}`;

export type RecordVerdictResult =
  | {
      readonly ok: true;
      /** False when the outcome equals the latest verdict's: that row was only re-stamped. */
      readonly changed: boolean;
      readonly verdict: EvidenceVerdictRow;
      readonly ticket: TicketRow;
    }
  | NotFound
  | Exclude<TransitionResult, { ok: true }>;

export async function recordVerdict(deps: LifecycleDeps, input: VerdictInput): Promise<RecordVerdictResult> {
  return retryTransaction(() =>
    deps.db.transaction(async (tx): Promise<RecordVerdictResult> => {
      const now = deps.clock.now();
      const [ticket] = await tx.select().from(tickets).where(eq(tickets.key, input.ticketKey)).for("update");
      if (!ticket) return { ok: false, code: "not_found", message: `no ticket ${input.ticketKey}` };
      const [attempt] = await tx.select().from(attempts).where(eq(attempts.id, input.attemptId));
      if (!attempt || attempt.ticketId !== ticket.id)
        return { ok: false, code: "not_found", message: `no attempt ${input.attemptId} of ${ticket.key}` };
      if (input.recheck) await insertReevaluation(tx, now, input.recheck);
      const latest = await latestVerdictOf(tx, attempt.id);
      if (latest && latest.fingerprint === input.fingerprint && latest.sha === input.sha) {
        const [touched] = await tx
          .update(evidenceVerdicts)
          .set({ lastCheckedAt: now, checks: sql`${evidenceVerdicts.checks} + 1` })
          .where(eq(evidenceVerdicts.id, latest.id))
          .returning();
        return { ok: true, changed: false, verdict: touched ?? latest, ticket };
      }
      const applies = ticket.state === "verifying" && ticket.currentAttemptId === attempt.id;
      let outcome: TicketOutcome = "none";
      let current = ticket;
      if (!applies) {
        outcome = `not_applied: ${ticket.key} is ${ticket.state}${ticket.currentAttemptId === attempt.id ? "" : ", attempt not current"}`;
      } else if (input.status === "fail") {
        const moved = await returnToTodo(tx, deps, ticket, attempt, input);
        if (!moved.ok) return moved;
        current = moved.ticket;
        outcome = "returned_to_todo";
      } else if (input.status === "pass") {
        outcome = "decision_requested";
      }
      const [verdict] = await tx
        .insert(evidenceVerdicts)
        .values({
          ticketId: ticket.id,
          attemptId: attempt.id,
          repository: input.repository,
          sha: input.sha,
          status: input.status,
          criteria: [...input.criteria],
          summary: input.summary,
          fingerprint: input.fingerprint,
          pendingSince:
            input.status === "pending" ? (latest?.status === "pending" ? latest.pendingSince : now) : null,
          ticketOutcome: outcome,
          checkRunId: latest?.checkRunId ?? null,
          evaluatedAt: now,
          lastCheckedAt: now,
        })
        .returning();
      if (!verdict) throw new Error("verdict insert returned no row");
      if (applies && input.status === "pass") await requestDecision(tx, now, verdict, input.sha ?? "");
      else if (applies)
        await withdrawDecision(tx, now, attempt.id, `verdict ${verdict.id} is ${input.status}`);
      // The inbox is where the orchestrator decides (DESIGN.md "Inbox and orchestrator"): a pass
      // files `completion_verified`, a fail `completion_failed`, in this same transaction. The
      // decision request above stays until `mctl evidence show` reads the inbox instead.
      if (applies && input.status !== "pending") await fileVerdictItem(tx, now, verdict, input);
      return { ok: true, changed: true, verdict, ticket: current };
    }),
  );
}

async function returnToTodo(
  tx: Transaction,
  deps: LifecycleDeps,
  ticket: TicketRow,
  attempt: AttemptRow,
  input: VerdictInput,
): Promise<TransitionResult> {
  return guardedTransition(
    tx,
    deps,
    {
      ticket: ticket.key,
      from: "verifying",
      expectedVersion: ticket.version,
      to: "todo",
      reason: "evidence_failed",
      actor: input.actor,
      attemptId: attempt.id,
      detail: { sha: input.sha, summary: input.summary, failed: failedCriteria(input.criteria) },
    },
    { nextEligibleAt: nextEligibleAt(deps.clock.now(), ticket.attemptCount, input.backoff) },
  );
}

function failedCriteria(criteria: readonly unknown[]): unknown[] {
  return criteria.filter((c) => (c as { status?: unknown }).status === "fail");
}

async function requestDecision(tx: Transaction, now: Date, verdict: EvidenceVerdictRow, sha: string) {
  await tx
    .insert(evidenceDecisionRequests)
    .values({
      ticketId: verdict.ticketId,
      attemptId: verdict.attemptId,
      verdictId: verdict.id,
      sha,
      status: "open",
      createdAt: now,
    })
    .onConflictDoUpdate({
      target: evidenceDecisionRequests.attemptId,
      set: { status: "open", verdictId: verdict.id, sha, resolvedAt: null, resolution: null },
    });
}

/** One inbox item per verdict row (idempotent by its id): a re-pass after a pending spell asks again. */
async function fileVerdictItem(tx: Transaction, now: Date, verdict: EvidenceVerdictRow, input: VerdictInput) {
  const kind = input.status === "pass" ? "completion_verified" : "completion_failed";
  await enqueueInTx(tx, now, {
    kind,
    ticketId: verdict.ticketId,
    attemptId: verdict.attemptId,
    payload: {
      verdictId: verdict.id,
      sha: input.sha,
      summary: input.summary,
      ...(kind === "completion_failed" ? { failed: failedCriteria(input.criteria) } : {}),
    },
    idempotencyKey: `${kind}:verdict-${verdict.id}`,
  });
}

async function withdrawDecision(tx: Transaction, now: Date, attemptId: string, why: string) {
  await tx
    .update(evidenceDecisionRequests)
    .set({ status: "withdrawn", resolvedAt: now, resolution: why })
    .where(
      and(eq(evidenceDecisionRequests.attemptId, attemptId), eq(evidenceDecisionRequests.status, "open")),
    );
}

/** Records where the verdict was published (or why it could not be), and the commit's check run. */
export async function recordVerdictPublication(
  deps: LifecycleDeps,
  input: {
    verdictId: number;
    repository: string;
    sha: string;
    checkRunId: number | null;
    appId: number | null;
    error: string | null;
  },
): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await tx
      .update(evidenceVerdicts)
      .set({ checkRunId: input.checkRunId, publishError: input.error })
      .where(eq(evidenceVerdicts.id, input.verdictId));
    if (input.checkRunId !== null && input.error === null)
      await tx
        .insert(evidenceCheckRuns)
        .values({
          repository: input.repository,
          sha: input.sha,
          checkRunId: input.checkRunId,
          appId: input.appId,
          updatedAt: now,
        })
        .onConflictDoUpdate({
          target: [evidenceCheckRuns.repository, evidenceCheckRuns.sha],
          set: {
            checkRunId: input.checkRunId,
            appId: sql`coalesce(excluded.app_id, ${evidenceCheckRuns.appId})`,
            updatedAt: now,
          },
        });
  });
}

// Reads

export async function latestVerdictOf(
  db: Executor,
  attemptId: string,
): Promise<EvidenceVerdictRow | undefined> {
  const [row] = await db
    .select()
    .from(evidenceVerdicts)
    .where(eq(evidenceVerdicts.attemptId, attemptId))
    .orderBy(desc(evidenceVerdicts.id))
    .limit(1);
  return row;
}

/** Every verdict of a ticket, oldest first (the history). */
export async function verdictsOf(db: Executor, ticketId: number): Promise<EvidenceVerdictRow[]> {
  return db
    .select()
    .from(evidenceVerdicts)
    .where(eq(evidenceVerdicts.ticketId, ticketId))
    .orderBy(asc(evidenceVerdicts.id));
}

export async function decisionRequestsOf(
  db: Executor,
  ticketId: number,
): Promise<EvidenceDecisionRequestRow[]> {
  return db
    .select()
    .from(evidenceDecisionRequests)
    .where(eq(evidenceDecisionRequests.ticketId, ticketId))
    .orderBy(asc(evidenceDecisionRequests.id));
}

export async function evidenceCheckRunOf(
  db: Executor,
  repository: string,
  sha: string,
): Promise<EvidenceCheckRunRow | undefined> {
  const [row] = await db
    .select()
    .from(evidenceCheckRuns)
    .where(and(eq(evidenceCheckRuns.repository, repository), eq(evidenceCheckRuns.sha, sha)));
  return row;
}

/** Mission Control's own app id, as learned from check runs it created (null before the first). */
export async function knownSelfAppId(db: Executor): Promise<number | null> {
  const [row] = await db
    .select({ appId: evidenceCheckRuns.appId })
    .from(evidenceCheckRuns)
    .where(sql`${evidenceCheckRuns.appId} is not null`)
    .orderBy(desc(evidenceCheckRuns.updatedAt))
    .limit(1);
  return row?.appId ?? null;
}

/** Tickets of a repository waiting in `verifying`, with their current attempt. */
export async function verifyingTickets(
  db: Executor,
  repository: string,
  limit = 500,
): Promise<{ ticket: TicketRow; attempt: AttemptRow }[]> {
  return db
    .select({ ticket: tickets, attempt: attempts })
    .from(tickets)
    .innerJoin(attempts, eq(attempts.id, tickets.currentAttemptId))
    .where(and(eq(tickets.state, "verifying"), eq(tickets.repository, repository)))
    .orderBy(asc(tickets.id))
    .limit(limit);
}

/**
 * Latest verdicts that have been pending since `cutoff` or earlier, for tickets still verifying
 * that attempt (what the operator should hear about).
 */
export async function stalePendingVerdicts(db: Executor, cutoff: Date, limit = 500) {
  return db
    .select({ verdict: evidenceVerdicts, ticketKey: tickets.key })
    .from(evidenceVerdicts)
    .innerJoin(tickets, eq(tickets.id, evidenceVerdicts.ticketId))
    .where(
      and(
        eq(evidenceVerdicts.status, "pending"),
        lte(evidenceVerdicts.pendingSince, cutoff),
        eq(tickets.state, "verifying"),
        eq(tickets.currentAttemptId, evidenceVerdicts.attemptId),
        sql`${evidenceVerdicts.id} = (select max(v.id) from evidence_verdicts v where v.attempt_id = ${evidenceVerdicts.attemptId})`,
      ),
    )
    .orderBy(asc(evidenceVerdicts.pendingSince))
    .limit(limit);
}
