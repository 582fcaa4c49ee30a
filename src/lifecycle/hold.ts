import type { Actor } from "../domain/actors.js";
import { attemptBudget } from "../domain/attempts.js";
import { MAX_ATTEMPTS_HOLD } from "../domain/inbox.js";
import { retryTransaction } from "../db/retry.js";
import type { LifecycleDeps } from "./deps.js";
import { casTicket } from "./cas-ticket.js";
import type { Fence, Fenced } from "./fence.js";
import { enqueueInTx } from "./inbox.js";
import { checkFence } from "./leases.js";
import type { Applied, NotFound, TransitionConflict } from "./results.js";

export type HoldResult = Applied | TransitionConflict | NotFound | Fenced;

/**
 * Takes a `todo` ticket out of the queue until someone decides (e.g. it reached `max_attempts`).
 * The state stays `todo`; the version moves and a `held` event records why. `maxAttempts` is the
 * dispatcher's setting, recorded with a `max_attempts_reached` item so that a grant can say the
 * ticket's new budget.
 */
export async function holdTicket(
  deps: LifecycleDeps,
  input: {
    ticket: string;
    expectedVersion: number;
    hold: string;
    actor: Actor;
    fence: Fence | null;
    maxAttempts?: number | undefined;
  },
): Promise<HoldResult> {
  return retryTransaction(() =>
    deps.db.transaction(async (tx): Promise<HoldResult> => {
      const lost = await checkFence(tx, deps.clock, input.fence ?? null);
      if (lost) return lost;
      const now = deps.clock.now();
      const held = await casTicket(tx, {
        key: input.ticket,
        expectedVersion: input.expectedVersion,
        from: "todo",
        unheld: true,
        set: { hold: input.hold },
        event: { actor: input.actor, reason: "held", detail: { hold: input.hold } },
        at: now,
      });
      if (!held.ok) return held;
      const row = held.ticket;
      // A ticket out of attempts waits for a person's decision: the inbox item is filed with the
      // hold (idempotent by ticket, attempt count and attempts granted, so a repeated hold files
      // nothing new, and a hold after a grant files a new item).
      if (input.hold === MAX_ATTEMPTS_HOLD)
        await enqueueInTx(tx, now, {
          kind: "max_attempts_reached",
          ticketId: row.id,
          payload: {
            attempts: row.attemptCount,
            ...(input.maxAttempts === undefined
              ? {}
              : {
                  maxAttempts: input.maxAttempts,
                  extraAttempts: row.extraAttempts,
                  budget: attemptBudget(input.maxAttempts, row.extraAttempts),
                }),
          },
          idempotencyKey: `max_attempts_reached:${row.id}:${row.attemptCount}${row.extraAttempts ? `+${row.extraAttempts}` : ""}`,
        });
      return held;
    }),
  );
}
