import { desc } from "drizzle-orm";
import type { Executor } from "../db/database.js";
import { type DispatchCycleRow, dispatchCycles } from "../db/schema.js";

export type NewDispatchCycle = Omit<typeof dispatchCycles.$inferInsert, "id">;

/** Stores a finished dispatch cycle's record (decisions, counts, timings). */
export async function recordDispatchCycle(db: Executor, cycle: NewDispatchCycle): Promise<DispatchCycleRow> {
  const [row] = await db.insert(dispatchCycles).values(cycle).returning();
  if (!row) throw new Error("dispatch cycle insert returned no row");
  return row;
}

/** The most recent cycles, newest first. */
export async function recentDispatchCycles(db: Executor, limit: number): Promise<DispatchCycleRow[]> {
  return db.select().from(dispatchCycles).orderBy(desc(dispatchCycles.id)).limit(limit);
}
