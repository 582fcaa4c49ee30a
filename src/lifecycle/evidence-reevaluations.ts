/**
 * Durable evidence re-evaluation requests (`evidence_reevaluations`). A CI webhook records one
 * while its delivery is handled, a completion in its own transaction, and a verdict schedules one
 * for later in its own (not due before a given time: the end of a missing commit's grace); the app's
 * re-evaluation worker takes due requests (locked with a lease, taken over when a worker dies),
 * runs the verifier and marks them done, or releases them with back-off. A crash between
 * recording and running delays the work; it never loses it.
 */
import { and, count, eq, isNull, sql } from "drizzle-orm";
import { type Executor, queryRows } from "../db/database.js";
import { type EvidenceReevaluationRow, evidenceReevaluations } from "../db/schema.js";
import type { LifecycleDeps } from "./deps.js";

export interface NewReevaluation {
  /** The webhook delivery that asked for it: one request per delivery, a redelivery is a no-op. */
  readonly deliveryId: string;
  readonly event: string;
  readonly repository: string;
  readonly shas: readonly string[];
  readonly wholeRepository: boolean;
}

export interface TakenReevaluation {
  readonly id: number;
  readonly event: string;
  readonly repository: string;
  readonly shas: readonly string[];
  readonly wholeRepository: boolean;
  readonly tries: number;
}

/**
 * A request that is not due before `notBefore` (the verifier's re-check at the end of a grace
 * period, recorded with its verdict); `deliveryId` is then the caller's idempotency key, e.g.
 * `commit-grace:<attempt>`.
 */
export interface ScheduledReevaluation extends NewReevaluation {
  readonly notBefore: Date;
}

/** Records a request (idempotent by delivery id): `queued`, or `duplicate` when that delivery already asked. */
export async function requestReevaluation(
  deps: LifecycleDeps,
  input: NewReevaluation,
): Promise<{ readonly ok: true; readonly code: "queued" | "duplicate" }> {
  const queued = await insertReevaluation(deps.db, deps.clock.now(), input);
  return { ok: true, code: queued ? "queued" : "duplicate" };
}

/**
 * The insert itself, inside whatever transaction the caller holds; false when the request already
 * exists. Due at once, or at `notBefore` when given.
 */
export async function insertReevaluation(
  db: Executor,
  now: Date,
  input: NewReevaluation & { readonly notBefore?: Date },
): Promise<boolean> {
  const rows = await db
    .insert(evidenceReevaluations)
    .values({
      deliveryId: input.deliveryId,
      event: input.event,
      repository: input.repository,
      shas: [...input.shas],
      wholeRepository: input.wholeRepository,
      createdAt: now,
      nextAttemptAt: input.notBefore ?? now,
    })
    .onConflictDoNothing()
    .returning({ id: evidenceReevaluations.id });
  return rows.length > 0;
}

/** Takes up to `limit` due requests, oldest first, locking each for `leaseMs`; ones another worker holds are skipped. */
export async function takeReevaluations(
  deps: LifecycleDeps,
  input: { worker: string; leaseMs: number; limit: number },
): Promise<TakenReevaluation[]> {
  const now = deps.clock.now();
  const until = new Date(now.getTime() + input.leaseMs);
  const rows = await queryRows<{
    id: string;
    event: string;
    repository: string;
    shas: string[];
    whole_repository: boolean;
    tries: number;
  }>(
    deps.db,
    sql`update ${evidenceReevaluations} r set locked_by = ${input.worker}, locked_until = ${until}
        where r.id in (
          select c.id from ${evidenceReevaluations} c
          where c.done_at is null and c.next_attempt_at <= ${now}
            and (c.locked_until is null or c.locked_until < ${now})
          order by c.id
          limit ${input.limit}
          for update skip locked)
        returning r.id::text, r.event, r.repository, r.shas, r.whole_repository, r.tries`,
  );
  return rows
    .map((r) => ({
      id: Number(r.id),
      event: r.event,
      repository: r.repository,
      shas: r.shas,
      wholeRepository: r.whole_repository,
      tries: r.tries,
    }))
    .sort((a, b) => a.id - b.id);
}

/** Marks a request done, if this worker still holds it. */
export async function completeReevaluation(
  deps: LifecycleDeps,
  input: { id: number; worker: string },
): Promise<{ readonly ok: boolean }> {
  const rows = await deps.db
    .update(evidenceReevaluations)
    .set({ doneAt: deps.clock.now(), lockedUntil: null })
    .where(
      and(
        eq(evidenceReevaluations.id, input.id),
        eq(evidenceReevaluations.lockedBy, input.worker),
        isNull(evidenceReevaluations.doneAt),
      ),
    )
    .returning({ id: evidenceReevaluations.id });
  return { ok: rows.length === 1 };
}

/** Releases a request after a failure: tried again at `retryAt`. */
export async function failReevaluation(
  deps: LifecycleDeps,
  input: { id: number; worker: string; error: string; retryAt: Date },
): Promise<void> {
  await deps.db
    .update(evidenceReevaluations)
    .set({
      tries: sql`${evidenceReevaluations.tries} + 1`,
      lastError: input.error.slice(0, 2000),
      nextAttemptAt: input.retryAt,
      lockedUntil: null,
    })
    .where(
      and(
        eq(evidenceReevaluations.id, input.id),
        eq(evidenceReevaluations.lockedBy, input.worker),
        isNull(evidenceReevaluations.doneAt),
      ),
    );
}

/** Requests not done yet (for health and tests). */
export async function reevaluationBacklog(db: Executor): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(evidenceReevaluations)
    .where(isNull(evidenceReevaluations.doneAt));
  return row?.n ?? 0;
}

export async function findReevaluation(
  db: Executor,
  deliveryId: string,
): Promise<EvidenceReevaluationRow | undefined> {
  const [row] = await db
    .select()
    .from(evidenceReevaluations)
    .where(eq(evidenceReevaluations.deliveryId, deliveryId));
  return row;
}
