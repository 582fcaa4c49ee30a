/**
 * The mirror outbox (DESIGN.md, "GitHub side"): every ticket event enqueues a job in the event's
 * own transaction (`appendEvent`, events.ts), so no change can be committed without its mirror job.
 *
 * Terminology
 * - head: a ticket's oldest pending job. Only heads are taken, so a ticket's changes are mirrored
 *   in order, and the head carries the ticket's retry state (tries, next attempt, last error).
 * - batch: the head plus every later pending job of that ticket up to `lastId`: applied as one
 *   issue update (coalescing) and marked done together.
 * - lock: `locked_by` + `locked_until` on the head; an expired lock (a crashed worker) is taken over.
 */
import { and, count, eq, isNull, lte, sql } from "drizzle-orm";
import { type Executor, queryRows } from "../db/database.js";
import { retryTransaction } from "../db/retry.js";
import { type MirrorJobRow, mirrorJobs, type TicketEventRow, ticketEvents } from "../db/schema.js";
import type { LifecycleDeps } from "./deps.js";

export interface MirrorBatch {
  readonly ticketId: number;
  readonly headId: number;
  readonly lastId: number;
  readonly tries: number;
  /** The head was locked before (a worker crashed or failed mid-batch): effects may be half-applied. */
  readonly resumed: boolean;
  /** When the head was queued: whatever an earlier try of this batch did on GitHub came after it. */
  readonly queuedAt: Date;
}

/** Takes up to `limit` due heads, locking each for `leaseMs`. Heads another worker holds are skipped. */
export async function takeMirrorBatches(
  deps: LifecycleDeps,
  input: { worker: string; leaseMs: number; limit: number },
): Promise<MirrorBatch[]> {
  const now = deps.clock.now();
  const candidates = await queryRows<{
    ticket_id: string;
    head_id: string;
    tries: number;
    locked_by: string | null;
    last_id: string;
    queued_ms: string | number;
  }>(
    deps.db,
    sql`select j.ticket_id::text, j.id::text as head_id, j.tries, j.locked_by,
          (extract(epoch from j.created_at) * 1000)::float8 as queued_ms,
          (select max(m.id) from ${mirrorJobs} m where m.ticket_id = j.ticket_id and m.done_at is null)::text as last_id
        from ${mirrorJobs} j
        where j.done_at is null and j.next_attempt_at <= ${now}
          and (j.locked_until is null or j.locked_until < ${now})
          and not exists (select 1 from ${mirrorJobs} e
                          where e.ticket_id = j.ticket_id and e.done_at is null and e.id < j.id)
        order by j.id
        limit ${input.limit}`,
  );
  const until = new Date(now.getTime() + input.leaseMs);
  const taken: MirrorBatch[] = [];
  for (const c of candidates) {
    const headId = Number(c.head_id);
    const [locked] = await deps.db
      .update(mirrorJobs)
      .set({ lockedBy: input.worker, lockedUntil: until })
      .where(
        and(
          eq(mirrorJobs.id, headId),
          isNull(mirrorJobs.doneAt),
          sql`(${mirrorJobs.lockedUntil} is null or ${mirrorJobs.lockedUntil} < ${now})`,
        ),
      )
      .returning({ id: mirrorJobs.id });
    if (!locked) continue; // another worker took it first
    taken.push({
      ticketId: Number(c.ticket_id),
      headId,
      lastId: Number(c.last_id),
      tries: c.tries,
      resumed: c.locked_by !== null || c.tries > 0,
      queuedAt: new Date(Number(c.queued_ms)),
    });
  }
  return taken;
}

/** The events of a batch, oldest first. */
export async function eventsOfBatch(db: Executor, batch: MirrorBatch): Promise<TicketEventRow[]> {
  return db
    .select({ event: ticketEvents })
    .from(mirrorJobs)
    .innerJoin(ticketEvents, eq(ticketEvents.id, mirrorJobs.eventId))
    .where(
      and(
        eq(mirrorJobs.ticketId, batch.ticketId),
        isNull(mirrorJobs.doneAt),
        sql`${mirrorJobs.id} >= ${batch.headId}`,
        lte(mirrorJobs.id, batch.lastId),
      ),
    )
    .orderBy(mirrorJobs.id)
    .then((rows) => rows.map((row) => row.event));
}

export type MirrorFenced = { readonly ok: false; readonly code: "lock_lost"; readonly message: string };

/** Marks the batch done, if this worker still holds its head. */
export async function completeMirrorBatch(
  deps: LifecycleDeps,
  input: { batch: MirrorBatch; worker: string },
): Promise<{ readonly ok: true; readonly done: number } | MirrorFenced> {
  const { batch, worker } = input;
  return retryTransaction(() =>
    deps.db.transaction(async (tx) => {
      const now = deps.clock.now();
      const held = await tx
        .update(mirrorJobs)
        .set({ doneAt: now, lockedUntil: null })
        .where(
          and(eq(mirrorJobs.id, batch.headId), eq(mirrorJobs.lockedBy, worker), isNull(mirrorJobs.doneAt)),
        )
        .returning({ id: mirrorJobs.id });
      if (held.length === 0)
        return {
          ok: false as const,
          code: "lock_lost" as const,
          message: `mirror job ${batch.headId} taken over`,
        };
      const rest = await tx
        .update(mirrorJobs)
        .set({ doneAt: now })
        .where(
          and(
            eq(mirrorJobs.ticketId, batch.ticketId),
            isNull(mirrorJobs.doneAt),
            lte(mirrorJobs.id, batch.lastId),
          ),
        )
        .returning({ id: mirrorJobs.id });
      return { ok: true as const, done: rest.length + 1 };
    }),
  );
}

/** Releases the head after a failure: tried again at `retryAt`, later jobs of the ticket wait behind it. */
export async function failMirrorBatch(
  deps: LifecycleDeps,
  input: { batch: MirrorBatch; worker: string; error: string; retryAt: Date },
): Promise<void> {
  await deps.db
    .update(mirrorJobs)
    .set({
      tries: sql`${mirrorJobs.tries} + 1`,
      lastError: input.error.slice(0, 2000),
      nextAttemptAt: input.retryAt,
      lockedUntil: null,
    })
    .where(and(eq(mirrorJobs.id, input.batch.headId), eq(mirrorJobs.lockedBy, input.worker)));
}

/** Pending mirror jobs (all tickets): for health and tests. */
export async function mirrorBacklog(db: Executor): Promise<number> {
  const [row] = await db.select({ n: count() }).from(mirrorJobs).where(isNull(mirrorJobs.doneAt));
  return row?.n ?? 0;
}

export async function mirrorJobsOf(db: Executor, ticketId: number): Promise<MirrorJobRow[]> {
  return db.select().from(mirrorJobs).where(eq(mirrorJobs.ticketId, ticketId)).orderBy(mirrorJobs.id);
}
