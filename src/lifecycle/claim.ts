import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Actor } from "../domain/actors.js";
import { retryTransaction } from "../db/retry.js";
import { type AttemptRow, attempts, tickets } from "../db/schema.js";
import type { LifecycleDeps } from "./deps.js";
import type { Fence, Fenced } from "./fence.js";
import { checkFence } from "./leases.js";
import type { Applied, TransitionResult } from "./results.js";
import { guardedTransition } from "./transition.js";

export interface ClaimInput {
  readonly ticket: string;
  readonly expectedVersion: number;
  /** Who will run the attempt (an agent identity, or the person claiming by hand). */
  readonly worker: string;
  readonly actor: Actor;
  /** How long the attempt may go without a heartbeat before it is lost. */
  readonly leaseMs: number;
  /** The dispatcher's lease; a claim under a lost lease is refused. Null for a person's claim. */
  readonly fence: Fence | null;
}

export type ClaimResult =
  | (Applied & { readonly attempt: AttemptRow })
  | Exclude<TransitionResult, Applied>
  | Fenced;

/**
 * Claims a `todo` ticket: compare-and-set `todo → in_progress` and a new attempt (`launching`,
 * with its launch key and lease) in one transaction, after re-checking the dispatcher's fencing
 * token inside that transaction.
 */
export async function claimTicket(deps: LifecycleDeps, input: ClaimInput): Promise<ClaimResult> {
  return retryTransaction(() =>
    deps.db.transaction(async (tx): Promise<ClaimResult> => {
      const lost = await checkFence(tx, deps.clock, input.fence ?? null);
      if (lost) return lost;
      const attemptId = randomUUID();
      const moved = await guardedTransition(
        tx,
        deps,
        {
          ticket: input.ticket,
          from: "todo",
          expectedVersion: input.expectedVersion,
          to: "in_progress",
          reason: "claimed",
          actor: input.actor,
          attemptId,
          detail: { worker: input.worker },
        },
        { currentAttemptId: attemptId, attemptCount: sql`${tickets.attemptCount} + 1` },
      );
      if (!moved.ok) return moved;
      const now = deps.clock.now();
      const number = moved.ticket.attemptCount;
      const [attempt] = await tx
        .insert(attempts)
        .values({
          id: attemptId,
          ticketId: moved.ticket.id,
          number,
          worker: input.worker,
          status: "launching",
          // Deterministic: a retried launch of the same attempt presents the same key.
          launchKey: `${moved.ticket.key}/${number}`,
          leaseExpiresAt: new Date(now.getTime() + input.leaseMs),
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      if (!attempt) throw new Error("attempt insert returned no row");
      return { ...moved, attempt };
    }),
  );
}
