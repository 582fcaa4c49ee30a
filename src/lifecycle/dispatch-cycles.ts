import { and, desc, eq, isNull, like, sql } from "drizzle-orm";
import type { Executor } from "../db/database.js";
import { type DispatchCycleRow, dispatchCycles } from "../db/schema.js";

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
