import type { Actor } from "../domain/actors.js";
import { MAX_ATTEMPTS_HOLD, planGrant } from "../domain/inbox.js";
import type { Transaction } from "../db/database.js";
import type { TicketEventRow, TicketRow } from "../db/schema.js";
import { casTicket } from "./cas-ticket.js";

/**
 * Holds set and released by inbox decisions, and attempts granted. A hold keeps a `todo` ticket out
 * of the dispatcher's queue; it is not a state change, so it is a version bump plus a `held` /
 * `hold_released` event, compare-and-set on the version the caller read under its row lock. A grant
 * is two such changes, each with its event: `attempts_granted` (the extra attempts grow), then
 * `hold_released` (the `max_attempts_reached` hold goes).
 */

export type HoldChange =
  | { readonly ok: true; readonly ticket: TicketRow; readonly event: TicketEventRow }
  | { readonly ok: false; readonly message: string };

export async function setHold(
  tx: Transaction,
  now: Date,
  ticket: TicketRow,
  hold: string,
  actor: Actor,
  detail: Record<string, unknown>,
): Promise<HoldChange> {
  if (ticket.state !== "todo" || ticket.hold !== null)
    return { ok: false, message: `${ticket.key} is ${ticket.state}${ticket.hold ? ", already held" : ""}` };
  return bump(tx, now, ticket, hold, actor, "held", { hold, ...detail });
}

export async function releaseHold(
  tx: Transaction,
  now: Date,
  ticket: TicketRow,
  actor: Actor,
  detail: Record<string, unknown>,
): Promise<HoldChange> {
  if (ticket.hold === null) return { ok: false, message: `${ticket.key} is not held` };
  return bump(tx, now, ticket, null, actor, "hold_released", { released: ticket.hold, ...detail });
}

export type GrantChange =
  | {
      readonly ok: true;
      readonly ticket: TicketRow;
      readonly grantEvent: TicketEventRow;
      readonly releaseEvent: TicketEventRow;
      readonly grant: {
        readonly attemptsUsed: number;
        readonly maxAttempts: number;
        readonly extraAttempts: number;
        readonly budget: number;
      };
    }
  | { readonly ok: false; readonly code: "stale_item" | "decision_not_allowed"; readonly message: string };

/**
 * Grants `count` more attempts to a ticket held for `max_attempts_reached` and releases that hold,
 * inside the caller's transaction (the caller holds the ticket's row lock). `maxAttempts` is the
 * setting the dispatcher held the ticket with. Refused, writing nothing, when the ticket is no longer
 * held for max_attempts or the grant would leave no attempt to make.
 */
export async function grantAttempts(
  tx: Transaction,
  now: Date,
  ticket: TicketRow,
  input: { count: number; maxAttempts: number; actor: Actor; detail: Record<string, unknown> },
): Promise<GrantChange> {
  if (ticket.state !== "todo" || ticket.hold !== MAX_ATTEMPTS_HOLD)
    return {
      ok: false,
      code: "stale_item",
      message: `${ticket.key} is no longer held for max_attempts (it is ${ticket.state}, ${ticket.hold === null ? "not held" : `held: ${ticket.hold}`}); dismiss the item, or decide again`,
    };
  const plan = planGrant(
    {
      key: ticket.key,
      attemptCount: ticket.attemptCount,
      extraAttempts: ticket.extraAttempts,
      maxAttempts: input.maxAttempts,
    },
    input.count,
  );
  if (!plan.ok) return { ok: false, code: "decision_not_allowed", message: plan.message };
  const grant = {
    attemptsUsed: plan.attemptsUsed,
    maxAttempts: input.maxAttempts,
    extraAttempts: plan.extraAttempts,
    budget: plan.budget,
  };
  const moved = await casTicket(tx, {
    key: ticket.key,
    expectedVersion: ticket.version,
    set: { extraAttempts: plan.extraAttempts },
    event: {
      actor: input.actor,
      reason: "attempts_granted",
      detail: { granted: input.count, ...grant, ...input.detail },
    },
    at: now,
  });
  if (!moved.ok) return { ok: false, code: "stale_item", message: `${ticket.key} changed meanwhile` };
  const { ticket: granted, event: grantEvent } = moved;
  const released = await releaseHold(tx, now, granted, input.actor, input.detail);
  // The row is locked and was just written by this transaction: a miss here is a bug, and throwing
  // rolls the grant back with it (never a grant without its release).
  if (!released.ok) throw new Error(`grant on ${ticket.key}: the hold release failed: ${released.message}`);
  return { ok: true, ticket: released.ticket, grantEvent, releaseEvent: released.event, grant };
}

async function bump(
  tx: Transaction,
  now: Date,
  ticket: TicketRow,
  hold: string | null,
  actor: Actor,
  reason: "held" | "hold_released",
  detail: Record<string, unknown>,
): Promise<HoldChange> {
  const moved = await casTicket(tx, {
    key: ticket.key,
    expectedVersion: ticket.version,
    set: { hold },
    event: { actor, reason, detail },
    at: now,
  });
  if (!moved.ok) return { ok: false, message: `${ticket.key} changed meanwhile` };
  return moved;
}
