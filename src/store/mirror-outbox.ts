/**
 * The mirror outbox (DESIGN.md, "GitHub side"): every ticket event enqueues a job in the event's
 * own transaction (`appendEvent`, src/lifecycle/events.ts), so no change can be committed without
 * its mirror job. The store takes, completes and fails them, as a leased queue grouped by ticket.
 *
 * Terminology
 * - head: a ticket's oldest pending job. Only heads are taken, so a ticket's changes are mirrored
 *   in order, and the head carries the ticket's retry state (tries, next attempt, last error).
 * - batch: the head plus every later pending job of that ticket up to `lastId`: applied as one
 *   issue update (coalescing) and marked done together.
 * - lock: `locked_by` + `locked_until` on the head; an expired lock (a crashed worker) is taken over.
 */
import { and, eq, isNull, lte, sql } from "drizzle-orm";
import type { Executor } from "../db/database.js";
import { type MirrorJobRow, mirrorJobs, type TicketEventRow, ticketEvents } from "../db/schema.js";
import type { StoreDeps } from "./deps.js";
import { type Completed, type Failed, leasedQueue, type TakeInput } from "./leased-queue.js";

const queue = leasedQueue(mirrorJobs, { group: mirrorJobs.ticketId });

export interface MirrorBatch {
  /** The head's id (what the lease is on). */
  readonly id: number;
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
export async function takeMirrorBatches(deps: StoreDeps, input: TakeInput): Promise<MirrorBatch[]> {
  const taken = await queue.take(deps, input);
  return taken.map(({ row, previousHolder, groupLast }) => ({
    id: row.id,
    ticketId: row.ticketId,
    headId: row.id,
    lastId: groupLast ?? row.id,
    tries: row.tries,
    resumed: previousHolder !== null || row.tries > 0,
    queuedAt: row.createdAt,
  }));
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

/** Marks the batch done, if this worker still holds its head. */
export function completeMirrorBatch(
  deps: StoreDeps,
  input: { job: MirrorBatch; worker: string },
): Promise<Completed> {
  return queue.complete(deps, { id: input.job.headId, worker: input.worker, through: input.job.lastId });
}

/** Releases the head after a failure: tried again after `delayMs`, later jobs of the ticket wait behind it. */
export function failMirrorBatch(
  deps: StoreDeps,
  input: { job: MirrorBatch; worker: string; error: string; delayMs: number },
): Promise<Failed> {
  return queue.fail(deps, {
    id: input.job.headId,
    worker: input.worker,
    error: input.error,
    delayMs: input.delayMs,
  });
}

/** Pending mirror jobs (all tickets): for health and tests. */
export function mirrorBacklog(db: Executor): Promise<number> {
  return queue.backlog(db);
}

export async function mirrorJobsOf(db: Executor, ticketId: number): Promise<MirrorJobRow[]> {
  return db.select().from(mirrorJobs).where(eq(mirrorJobs.ticketId, ticketId)).orderBy(mirrorJobs.id);
}
