import { integer, text, timestamp } from "drizzle-orm/pg-core";

/**
 * The columns every leased queue table shares (src/store/leased-queue.ts): when a row is next due,
 * how often it failed and why, who holds it until when, and when it was done. A new queue is a
 * table with its payload columns plus `...leasedQueueColumns()`.
 */
export function leasedQueueColumns() {
  const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
  return {
    /** Not taken before this time: the back-off after a failure, or a request scheduled for later. */
    nextAttemptAt: tstz("next_attempt_at").notNull(),
    tries: integer("tries").notNull().default(0),
    lastError: text("last_error"),
    /** The last worker that took the row (kept after a failure: the next take is a resumption). */
    lockedBy: text("locked_by"),
    /** The lease: after this time another worker may take the row over. */
    lockedUntil: tstz("locked_until"),
    doneAt: tstz("done_at"),
  };
}
