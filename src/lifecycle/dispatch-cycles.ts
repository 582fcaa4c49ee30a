import { and, desc, eq, isNull, like, sql } from "drizzle-orm";
import type { Executor } from "../db/database.js";
import { type DispatchCycleRow, dispatchCycles, ticketPolicySkips } from "../db/schema.js";

export type NewDispatchCycle = Omit<typeof dispatchCycles.$inferInsert, "id">;

/** Stores a finished dispatch cycle's record (decisions, counts, timings). */
export async function recordDispatchCycle(db: Executor, cycle: NewDispatchCycle): Promise<DispatchCycleRow> {
  const [row] = await db.insert(dispatchCycles).values(cycle).returning();
  if (!row) throw new Error("dispatch cycle insert returned no row");
  return row;
}

/**
 * Stores a `lock_held` cycle unless this holder already stored one for the same lease term (the
 * record's `fencingToken` is the token of the term it found held): a dispatcher waiting on another
 * one's lease adds at most one row per term, however often it tries. Returns whether it stored one.
 */
export async function recordLockHeld(db: Executor, cycle: NewDispatchCycle): Promise<boolean> {
  const [seen] = await db
    .select({ id: dispatchCycles.id })
    .from(dispatchCycles)
    .where(
      and(
        eq(dispatchCycles.outcome, "lock_held"),
        eq(dispatchCycles.holder, cycle.holder),
        cycle.fencingToken == null
          ? isNull(dispatchCycles.fencingToken)
          : eq(dispatchCycles.fencingToken, cycle.fencingToken),
        cycle.scope == null ? isNull(dispatchCycles.scope) : eq(dispatchCycles.scope, cycle.scope),
      ),
    )
    .limit(1);
  if (seen) return false;
  await recordDispatchCycle(db, cycle);
  return true;
}

/** The most recent cycles, newest first. */
export async function recentDispatchCycles(db: Executor, limit: number): Promise<DispatchCycleRow[]> {
  return db.select().from(dispatchCycles).orderBy(desc(dispatchCycles.id)).limit(limit);
}

/**
 * When the owner's control repository's dispatch workflow last called `POST /api/v1/dispatch`:
 * the newest cycle run for that owner by a GitHub Actions run (holder `actions:…`), or null.
 */
export async function lastWorkflowDispatchOf(db: Executor, owner: string): Promise<Date | null> {
  const [row] = await db
    .select({ startedAt: dispatchCycles.startedAt })
    .from(dispatchCycles)
    .where(
      and(
        sql`lower(${dispatchCycles.scope}) = ${owner.toLowerCase()}`,
        like(dispatchCycles.holder, "actions:%"),
      ),
    )
    .orderBy(desc(dispatchCycles.startedAt))
    .limit(1);
  return row?.startedAt ?? null;
}

/** A policy verdict the dispatcher recorded (`skipped_policy`): once per ticket version and policy. */
export interface PolicySkip {
  readonly ticketId: number;
  readonly version: number;
  readonly policy: string;
  readonly rule: string;
}

/**
 * Records `skipped_policy` verdicts in one statement (a ticket keeps only its latest verdict). Not a
 * ticket change: no version, no event (the cycle's record has the decision); the queue reads leave
 * the ticket out until its version or the policy changes.
 */
export async function recordPolicySkips(db: Executor, skips: readonly PolicySkip[], at: Date): Promise<void> {
  if (!skips.length) return;
  await db
    .insert(ticketPolicySkips)
    .values(skips.map((s) => ({ ...s, recordedAt: at })))
    .onConflictDoUpdate({
      target: ticketPolicySkips.ticketId,
      set: {
        version: sql`excluded.version`,
        policy: sql`excluded.policy`,
        rule: sql`excluded.rule`,
        recordedAt: sql`excluded.recorded_at`,
      },
    });
}
