import { and, eq, gt, inArray, lte, sql } from "drizzle-orm";
import { type BackoffPolicy, nextEligibleAt } from "../domain/backoff.js";
import type { Actor } from "../domain/actors.js";
import { type AttemptStatus, LIVE_ATTEMPT_STATUSES } from "../domain/attempts.js";
import { redactDeep, redactSecrets } from "../domain/redact.js";
import type { TicketState, TransitionReason } from "../domain/ticket-states.js";
import type { Transaction } from "../db/database.js";
import { retryTransaction } from "../db/retry.js";
import { type AttemptRow, attempts, ticketQuestions, tickets } from "../db/schema.js";
import type { LifecycleDeps } from "./deps.js";
import { type Fence, type Fenced, fenced } from "./fence.js";
import { checkFence } from "./leases.js";
import type { Applied, NotFound, TransitionResult } from "./results.js";
import { scopeCondition, type TicketScope } from "./candidates.js";
import { guardedTransition, type TransitionExtras } from "./transition.js";
import { insertReevaluation } from "./reevaluation-requests.js";
import { raiseAlertInTx } from "./alerts.js";

export type AttemptResult = { readonly ok: true; readonly attempt: AttemptRow } | Fenced | NotFound;

/**
 * A worker takes its attempt: `launching → running` by compare-and-set on the launch key. A
 * duplicate or stale launch finds the attempt already running (or ended) and is refused, so it can
 * never become a second running worker.
 */
export async function startAttempt(
  deps: LifecycleDeps,
  input: { attemptId: string; launchKey: string; leaseMs: number },
): Promise<AttemptResult> {
  const now = deps.clock.now();
  const [row] = await deps.db
    .update(attempts)
    .set({
      status: "running",
      heartbeatAt: now,
      leaseExpiresAt: new Date(now.getTime() + input.leaseMs),
      updatedAt: now,
    })
    .where(
      and(
        eq(attempts.id, input.attemptId),
        eq(attempts.launchKey, input.launchKey),
        eq(attempts.status, "launching"),
        gt(attempts.leaseExpiresAt, now),
      ),
    )
    .returning();
  if (row) return { ok: true, attempt: row };
  return refuse(deps, input.attemptId, "cannot start");
}

/** Extends a running attempt's lease. Refused once the lease has expired: the dispatcher owns it then. */
export async function heartbeatAttempt(
  deps: LifecycleDeps,
  input: { attemptId: string; leaseMs: number },
): Promise<AttemptResult> {
  const now = deps.clock.now();
  const [row] = await deps.db
    .update(attempts)
    .set({ heartbeatAt: now, leaseExpiresAt: new Date(now.getTime() + input.leaseMs), updatedAt: now })
    .where(
      and(eq(attempts.id, input.attemptId), eq(attempts.status, "running"), gt(attempts.leaseExpiresAt, now)),
    )
    .returning();
  if (row) return { ok: true, attempt: row };
  return refuse(deps, input.attemptId, "cannot heartbeat");
}

async function refuse(deps: LifecycleDeps, attemptId: string, what: string): Promise<Fenced | NotFound> {
  const [current] = await deps.db.select().from(attempts).where(eq(attempts.id, attemptId));
  if (!current) return { ok: false, code: "not_found", message: `no attempt ${attemptId}` };
  const expired = current.leaseExpiresAt.getTime() <= deps.clock.now().getTime();
  const why =
    LIVE_ATTEMPT_STATUSES.includes(current.status) && expired
      ? "its lease has expired"
      : `it is ${current.status}`;
  return fenced(`attempt ${attemptId} ${what}: ${why}`);
}

export type EndAttemptResult =
  | (Applied & { readonly attempt: AttemptRow })
  | Exclude<TransitionResult, Applied>
  | Fenced;

interface Ending {
  readonly attemptId: string;
  readonly actor: Actor;
  readonly status: AttemptStatus;
  readonly outcome: Record<string, unknown>;
  readonly to: TicketState;
  readonly reason: TransitionReason;
  /** Attempts that may end this way (`running` for a worker's signals). */
  readonly from: readonly AttemptStatus[];
  readonly extras?: (attempt: AttemptRow, failedAttempts: number) => TransitionExtras;
  readonly also?: (
    tx: Transaction,
    attempt: AttemptRow,
    ticket: { readonly repository: string },
  ) => Promise<void>;
  /** Expiry is the one ending that happens *because* the lease ran out. */
  readonly requireLiveLease: boolean;
  readonly fence?: Fence | null;
}

/**
 * Ends an attempt and moves its ticket, in one transaction, only if the attempt is still the
 * ticket's current one, in an allowed status, and (for a worker's own signals) within its lease.
 * This is the fencing that stops a worker whose lease expired from reporting success.
 */
async function endAttempt(deps: LifecycleDeps, raw: Ending): Promise<EndAttemptResult> {
  // What a worker reports (a failure reason, a question, a test summary) is an agent's words: masked
  // before it is stored in the outcome or the event, and so before anything serves it.
  const ending: Ending = { ...raw, outcome: redactDeep(raw.outcome) };
  return retryTransaction(() =>
    deps.db.transaction(async (tx): Promise<EndAttemptResult> => {
      const lost = await checkFence(tx, deps.clock, ending.fence ?? null);
      if (lost) return lost;
      const now = deps.clock.now();
      const [found] = await tx
        .select({ attempt: attempts, ticket: tickets })
        .from(attempts)
        .innerJoin(tickets, eq(tickets.id, attempts.ticketId))
        .where(eq(attempts.id, ending.attemptId))
        .for("update", { of: attempts });
      if (!found) return { ok: false, code: "not_found", message: `no attempt ${ending.attemptId}` };
      const { attempt, ticket } = found;
      const refuse = (why: string) =>
        fenced(`attempt ${attempt.id} of ${ticket.key} cannot end as ${ending.status}: ${why}`);
      if (!ending.from.includes(attempt.status)) return refuse(`it is ${attempt.status}`);
      if (ticket.currentAttemptId !== attempt.id) return refuse("it is not the ticket's current attempt");
      if (ending.requireLiveLease && attempt.leaseExpiresAt.getTime() <= now.getTime()) {
        return refuse("its lease has expired");
      }
      // The ticket's compare-and-set first: if it loses, nothing has been written yet.
      const moved = await guardedTransition(
        tx,
        deps,
        {
          ticket: ticket.key,
          from: ticket.state,
          expectedVersion: ticket.version,
          to: ending.to,
          reason: ending.reason,
          actor: ending.actor,
          attemptId: attempt.id,
          detail: ending.outcome,
        },
        ending.extras?.(attempt, ticket.attemptCount) ?? {},
      );
      if (!moved.ok) return moved;
      const [ended] = await tx
        .update(attempts)
        .set({ status: ending.status, outcome: ending.outcome, endedAt: now, updatedAt: now })
        .where(eq(attempts.id, attempt.id))
        .returning();
      if (!ended) throw new Error("attempt update returned no row");
      await ending.also?.(tx, ended, ticket);
      return { ...moved, attempt: ended };
    }),
  );
}

const backoffExtras =
  (deps: LifecycleDeps, policy: BackoffPolicy) =>
  (_attempt: AttemptRow, failedAttempts: number): TransitionExtras => ({
    nextEligibleAt: nextEligibleAt(deps.clock.now(), failedAttempts, policy),
  });

/** The worker gave up (or its agent failed): the ticket goes back to `todo` after a back-off. */
export function failAttempt(
  deps: LifecycleDeps,
  input: {
    attemptId: string;
    actor: Actor;
    reason: string;
    detail?: Record<string, unknown>;
    backoff: BackoffPolicy;
  },
): Promise<EndAttemptResult> {
  return endAttempt(deps, {
    attemptId: input.attemptId,
    actor: input.actor,
    status: "failed",
    outcome: { reason: input.reason, ...input.detail },
    to: "todo",
    reason: "attempt_failed",
    from: ["running"],
    extras: backoffExtras(deps, input.backoff),
    requireLiveLease: true,
  });
}

/** The agent needs an answer: the ticket waits in `needs_input` with the question stored. */
export function askQuestion(
  deps: LifecycleDeps,
  input: { attemptId: string; actor: Actor; question: string },
): Promise<EndAttemptResult> {
  return endAttempt(deps, {
    attemptId: input.attemptId,
    actor: input.actor,
    status: "needs_input",
    outcome: { reason: "needs_input", question: input.question },
    to: "needs_input",
    reason: "needs_input",
    from: ["running"],
    requireLiveLease: true,
    also: async (tx, attempt) => {
      await tx.insert(ticketQuestions).values({
        ticketId: attempt.ticketId,
        attemptId: attempt.id,
        question: redactSecrets(input.question),
        askedAt: deps.clock.now(),
      });
    },
  });
}

/** The worker claims completion with structured evidence; verification decides what it is worth. */
export function completeAttempt(
  deps: LifecycleDeps,
  input: {
    attemptId: string;
    actor: Actor;
    evidence: Record<string, unknown>;
    /** Facts stored beside the evidence (e.g. the pull request a run reported); never inside it. */
    detail?: Record<string, unknown>;
  },
): Promise<EndAttemptResult> {
  return endAttempt(deps, {
    attemptId: input.attemptId,
    actor: input.actor,
    status: "completed",
    outcome: { ...input.detail, reason: "completion_claimed", evidence: input.evidence },
    to: "verifying",
    reason: "completion_claimed",
    from: ["running"],
    requireLiveLease: true,
    // Verify at once, not only when a later CI webhook names the commit: its CI may have finished
    // before the claim. The app's re-evaluation worker runs the request (one per attempt).
    also: async (tx, attempt, ticket) => {
      const sha = input.evidence.commitSha;
      await insertReevaluation(tx, deps.clock.now(), {
        deliveryId: `completion:${attempt.id}`,
        event: "completion_claimed",
        repository: ticket.repository,
        shas: typeof sha === "string" ? [sha] : [],
        wholeRepository: typeof sha !== "string",
      });
    },
  });
}

/** Dispatcher: an attempt whose lease ran out is `lost`; its ticket goes back to `todo` after a back-off. */
export function expireAttempt(
  deps: LifecycleDeps,
  input: { attemptId: string; actor: Actor; backoff: BackoffPolicy; fence: Fence | null },
): Promise<EndAttemptResult> {
  return endAttempt(deps, {
    attemptId: input.attemptId,
    actor: input.actor,
    status: "lost",
    outcome: { reason: "lease_expired" },
    to: "todo",
    reason: "lease_expired",
    from: LIVE_ATTEMPT_STATUSES,
    extras: backoffExtras(deps, input.backoff),
    requireLiveLease: false,
    fence: input.fence,
  });
}

/**
 * Dispatcher: the launcher failed; the attempt is released and the ticket returns to the queue.
 *
 * With `fix` the launch failed for configuration (`launch_config_error`): the ticket goes back at
 * once, without a back-off, and the attempt is given back to its budget (one more in
 * `extra_attempts`, as its number is taken), so a configuration mistake never uses up tickets'
 * attempts; an operator alert for the repository names the fix, in the same transaction.
 */
export function releaseFailedLaunch(
  deps: LifecycleDeps,
  input: {
    attemptId: string;
    actor: Actor;
    error: string;
    backoff: BackoffPolicy;
    fence: Fence | null;
    fix?: string | undefined;
  },
): Promise<EndAttemptResult> {
  const fix = input.fix;
  if (fix !== undefined)
    return endAttempt(deps, {
      attemptId: input.attemptId,
      actor: input.actor,
      status: "released",
      outcome: { reason: "launch_config_error", error: input.error, fix },
      to: "todo",
      reason: "launch_config_error",
      from: ["launching"],
      extras: () => ({ extraAttempts: sql`${tickets.extraAttempts} + 1` }),
      requireLiveLease: false,
      fence: input.fence,
      also: async (tx, _attempt, ticket) => {
        await raiseAlertInTx(tx, deps.clock.now(), {
          condition: "launch_config_error",
          subject: ticket.repository,
          severity: "critical",
          message: `launches in ${ticket.repository} fail for configuration: ${fix}`,
          detail: { repository: ticket.repository, error: redactSecrets(input.error), fix },
        });
      },
    });
  return endAttempt(deps, {
    attemptId: input.attemptId,
    actor: input.actor,
    status: "released",
    outcome: { reason: "launch_failed", error: input.error },
    to: "todo",
    reason: "launch_failed",
    from: ["launching"],
    extras: backoffExtras(deps, input.backoff),
    requireLiveLease: false,
    fence: input.fence,
  });
}

/**
 * Live attempts whose lease has run out, oldest first, of tickets in `scope` (absent: all)
 * (read-only; expiry goes through expireAttempt).
 */
export async function findExpiredAttempts(
  deps: LifecycleDeps,
  limit: number,
  scope?: TicketScope,
): Promise<AttemptRow[]> {
  const expired = and(
    inArray(attempts.status, [...LIVE_ATTEMPT_STATUSES]),
    lte(attempts.leaseExpiresAt, deps.clock.now()),
  );
  if (!scope)
    return deps.db.select().from(attempts).where(expired).orderBy(attempts.leaseExpiresAt).limit(limit);
  const rows = await deps.db
    .select({ attempt: attempts })
    .from(attempts)
    .innerJoin(tickets, eq(tickets.id, attempts.ticketId))
    .where(and(expired, scopeCondition(scope)))
    .orderBy(attempts.leaseExpiresAt)
    .limit(limit);
  return rows.map((row) => row.attempt);
}
