import { and, eq, gt, inArray, lte, type SQL, sql } from "drizzle-orm";
import { type BackoffPolicy, backoffDelays } from "../domain/backoff.js";
import type { Actor } from "../domain/actors.js";
import { type AttemptStatus, LIVE_ATTEMPT_STATUSES } from "../domain/attempts.js";
import { redactDeep, redactSecrets } from "../domain/redact.js";
import {
  decideTransition,
  TICKET_STATES,
  type TicketState,
  type TransitionReason,
} from "../domain/ticket-states.js";
import { type Executor, queryRows, type Transaction } from "../db/database.js";
import { retryTransaction } from "../db/retry.js";
import { type AttemptRow, attempts, type TicketRow, ticketQuestions, tickets } from "../db/schema.js";
import { columnList, rowFromJson } from "../db/sql-rows.js";
import { explainMiss } from "./cas-ticket.js";
import type { LifecycleDeps } from "./deps.js";
import { eventCtes } from "./events.js";
import { type Fence, type Fenced, fenced } from "./fence.js";
import { fenceLost, fenceRow } from "./leases.js";
import type { Applied, NotFound, TransitionResult } from "./results.js";
import { scopeCondition, type TicketScope } from "./candidates.js";
import { effectsOf, type TransitionExtras } from "./transition.js";
import { reevaluationInsert } from "./reevaluation-requests.js";
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
  /** Columns the ticket's change sets besides its state (SQL values read the ticket's row), at `now`. */
  readonly extras?: (now: Date) => TransitionExtras;
  /**
   * More rows written by the same statement: the body of a data-modifying CTE that reads `ended`
   * (the attempt's row as ended) and `found` (which has the ticket's `repository`), at `now`.
   */
  readonly also?: (now: Date) => SQL;
  /** Follow-up work that is not one statement (an operator alert): run in the ending's transaction. */
  readonly after?: (tx: Transaction, ticket: TicketRow) => Promise<void>;
  /** Expiry is the one ending that happens *because* the lease ran out. */
  readonly requireLiveLease: boolean;
  readonly fence?: Fence | null;
}

/**
 * Ends an attempt and moves its ticket, all or nothing, only if the attempt is still the ticket's
 * current one, in an allowed status, and (for a worker's own signals) within its lease. This is
 * the fencing that stops a worker whose lease expired from reporting success.
 *
 * ONE statement (atomic without BEGIN/COMMIT), as data-modifying CTEs: the fence (the lease row,
 * FOR SHARE), the attempt locked FOR UPDATE with its ticket, the ticket's compare-and-set (its
 * version and state as read, the attempt's status, currency and lease as locked), the event and
 * its mirror job, the attempt's end and `also`, each written only if the compare-and-set was.
 * An ending with `after` runs it with the statement in one transaction. A refused or lost ending
 * wrote nothing; only a lost compare-and-set costs another read (to say who changed the ticket).
 */
async function endAttempt(deps: LifecycleDeps, raw: Ending): Promise<EndAttemptResult> {
  // What a worker reports (a failure reason, a question, a test summary) is an agent's words: masked
  // before it is stored in the outcome or the event, and so before anything serves it.
  const ending: Ending = { ...raw, outcome: redactDeep(raw.outcome) };
  const after = ending.after;
  return retryTransaction(() =>
    after
      ? deps.db.transaction(async (tx) => {
          const ended = await writeEnding(tx, deps.clock.now(), ending);
          if (ended.ok) await after(tx, ended.ticket);
          return ended;
        })
      : writeEnding(deps.db, deps.clock.now(), ending),
  );
}

/** What an ending's statement returns: the locked attempt and its ticket as read, and what it wrote. */
interface EndingRow {
  readonly fence_ok: boolean;
  readonly attempt_status: AttemptStatus | null;
  readonly lease_expires_at: Date | string | null;
  readonly key: string | null;
  readonly state: TicketState | null;
  readonly version: number | null;
  readonly current_attempt_id: string | null;
  readonly ticket: unknown;
  readonly attempt: unknown;
  readonly event_id: string | number | null;
}

async function writeEnding(db: Executor, now: Date, ending: Ending): Promise<EndAttemptResult> {
  const fence = ending.fence ?? null;
  // The ticket states the table lets this ending leave (in_progress, in practice): checked in the
  // compare-and-set, and the table's own refusal is given when the ticket was in another.
  const leaving = TICKET_STATES.filter(
    (from) => decideTransition({ from, to: ending.to, reason: ending.reason, actor: ending.actor.kind }).ok,
  );
  const set = Object.entries({ ...effectsOf(ending.to), ...ending.extras?.(now) }).map(
    ([key, value]) => sql`, ${sql.identifier(tickets[key as keyof TransitionExtras].name)} = ${value}`,
  );
  const list = (values: readonly string[]) =>
    sql.join(
      values.map((value) => sql`${value}`),
      sql`, `,
    );
  const outcome = JSON.stringify(ending.outcome);
  const [row] = await queryRows<EndingRow>(
    db,
    sql`with fence as (${fenceRow(fence, now)}),
      found as (
        select a.status, a.lease_expires_at, t.id as ticket_id, t.key, t.state, t.version,
               t.current_attempt_id, t.repository
        from ${attempts} a join ${tickets} t on t.id = a.ticket_id
        where a.id = ${ending.attemptId}::uuid and exists (select 1 from fence)
        for update of a),
      moved as (
        update ${tickets}
        set state = ${ending.to}, version = ${tickets.version} + 1, updated_at = ${now}::timestamptz${sql.join(set)}
        from found
        where ${tickets.id} = found.ticket_id and ${tickets.version} = found.version
          and ${tickets.state} = found.state and ${tickets.state} in (${list(leaving)})
          and ${tickets.currentAttemptId} = ${ending.attemptId}::uuid
          and found.status in (${list(ending.from)})
          ${ending.requireLiveLease ? sql`and found.lease_expires_at > ${now}::timestamptz` : sql``}
        returning ${tickets}.*),
      ${eventCtes(
        sql`select m.id, found.state, m.state, ${ending.actor.kind}::actor_kind, ${ending.actor.id},
                   ${ending.reason}, m.version, ${ending.attemptId}::uuid, ${outcome}::jsonb, ${now}::timestamptz
            from moved m, found`,
        now,
      )},
      ended as (
        update ${attempts}
        set status = ${ending.status}, outcome = ${outcome}::jsonb, ended_at = ${now}::timestamptz,
            updated_at = ${now}::timestamptz
        where ${attempts.id} = ${ending.attemptId}::uuid and exists (select 1 from moved)
        returning *)
      ${ending.also ? sql`, also as (${ending.also(now)})` : sql``}
      select exists (select 1 from fence) as fence_ok, found.status as attempt_status,
             found.lease_expires_at, found.key, found.state, found.version, found.current_attempt_id,
             (select row_to_json(m) from moved m) as ticket,
             (select row_to_json(e) from ended e) as attempt,
             (select id from event) as event_id
      from (select 1) as one left join found on true`,
  );
  if (fence && !row?.fence_ok) return fenceLost(fence);
  if (!row?.key || !row.attempt_status || !row.state || row.version === null || !row.lease_expires_at)
    return { ok: false, code: "not_found", message: `no attempt ${ending.attemptId}` };
  if (row.ticket && row.attempt) {
    const ticket = rowFromJson<TicketRow>(tickets, row.ticket);
    return {
      ok: true,
      ticket,
      attempt: rowFromJson<AttemptRow>(attempts, row.attempt),
      event: {
        id: Number(row.event_id),
        ticketId: ticket.id,
        fromState: row.state,
        toState: ending.to,
        actorKind: ending.actor.kind,
        actorId: ending.actor.id,
        reason: ending.reason,
        version: ticket.version,
        attemptId: ending.attemptId,
        detail: ending.outcome,
        createdAt: now,
      },
    };
  }
  // Nothing was written: say why, from the attempt as locked and its ticket as read.
  const refuse = (why: string) =>
    fenced(`attempt ${ending.attemptId} of ${row.key} cannot end as ${ending.status}: ${why}`);
  if (!ending.from.includes(row.attempt_status)) return refuse(`it is ${row.attempt_status}`);
  if (row.current_attempt_id !== ending.attemptId) return refuse("it is not the ticket's current attempt");
  if (ending.requireLiveLease && new Date(row.lease_expires_at).getTime() <= now.getTime())
    return refuse("its lease has expired");
  const table = decideTransition({
    from: row.state,
    to: ending.to,
    reason: ending.reason,
    actor: ending.actor.kind,
  });
  if (!table.ok) return table;
  return explainMiss(db, { ticket: row.key, from: row.state, expectedVersion: row.version });
}

/**
 * The back-off after the ticket's failed attempts, computed in the ending's statement from the
 * count on the ticket's row: backoffDelay's values, looked up there.
 */
const backoffExtras =
  (policy: BackoffPolicy) =>
  (now: Date): TransitionExtras => {
    const delays = backoffDelays(policy);
    return {
      nextEligibleAt: sql`${now}::timestamptz + (${`{${delays.join(",")}}`}::float8[])[least(${tickets.attemptCount}, ${delays.length - 1}) + 1] * interval '1 millisecond'`,
    };
  };

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
    extras: backoffExtras(input.backoff),
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
    also: () => sql`insert into ${ticketQuestions} (${columnList(ticketQuestions.ticketId, ticketQuestions.attemptId, ticketQuestions.question, ticketQuestions.askedAt)})
      select ticket_id, id, ${redactSecrets(input.question)}, ended_at from ended`,
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
  const sha = input.evidence.commitSha;
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
    also: (now) =>
      reevaluationInsert(
        now,
        {
          deliveryId: `completion:${input.attemptId}`,
          event: "completion_claimed",
          shas: typeof sha === "string" ? [sha] : [],
          wholeRepository: typeof sha !== "string",
        },
        sql`ended, found`,
      ),
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
    extras: backoffExtras(input.backoff),
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
      after: async (tx, ticket) => {
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
    extras: backoffExtras(input.backoff),
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
