import { eq } from "drizzle-orm";
import { z } from "zod";
import { DECISIONS_BY_KIND, heldForMaxAttempts, INBOX_KINDS, type InboxKind } from "../domain/inbox.js";
import type { Transaction } from "../db/database.js";
import { retryTransaction } from "../db/retry.js";
import { type InboxItemRow, type TicketRow, inboxItems, tickets } from "../db/schema.js";
import type { LifecycleDeps } from "./deps.js";
import { type Fenced, fenced } from "./fence.js";
import { grantAttempts, releaseHold, setHold } from "./inbox-effects.js";
import {
  type InboxResult,
  InboxResultSchema,
  type StoredResult,
  StoredResultSchema,
} from "./inbox-schemas.js";
import { latestVerdictStatus } from "./inbox.js";
import type { InvalidInput, NotFound, TransitionResult } from "./results.js";
import { guardedTransition } from "./transition.js";
import { validate } from "./validation.js";

/** The decision does not fit the item (wrong kind, stale premise, hold not applicable). */
export interface ActRefused {
  readonly ok: false;
  readonly code: "decision_not_allowed" | "stale_item" | "hold_not_applicable";
  readonly message: string;
}

export type ActResult =
  | {
      readonly ok: true;
      /** True when the item had been acted on already: `result` is the first result, nothing changed. */
      readonly replayed: boolean;
      readonly item: InboxItemRow;
      readonly result: StoredResult;
    }
  | InvalidInput
  | NotFound
  | Fenced
  | ActRefused
  | Exclude<TransitionResult, { ok: true }>;

/**
 * Acts on an item: in one transaction, applies the result's ticket change (a compare-and-set
 * transition from the table, or a hold) and marks the item `acted` with the result. An item acted
 * on already returns its first result and changes nothing, whatever was asked the second time. A
 * result that fails validation is refused before anything is read. With `delivery`, the act is
 * fenced to that delivery of the item (an orchestrator whose lease expired cannot act on it).
 */
export async function actOnItem(
  deps: LifecycleDeps,
  input: { itemId: number; result: unknown; delivery?: number | undefined },
): Promise<ActResult> {
  const valid = validate(InboxResultSchema, input.result, "inbox result");
  if (!valid.ok) return valid;
  const result = valid.value;
  return retryTransaction(() =>
    deps.db.transaction(async (tx): Promise<ActResult> => {
      const [item] = await tx.select().from(inboxItems).where(eq(inboxItems.id, input.itemId)).for("update");
      if (!item) return { ok: false, code: "not_found", message: `no inbox item ${input.itemId}` };
      if (item.state === "acted") return { ok: true, replayed: true, item, result: storedResultOf(item) };
      if (
        input.delivery !== undefined &&
        (item.state !== "delivered" || item.deliveryCount !== input.delivery)
      )
        return fenced(
          `inbox item ${item.id} was delivered again (delivery ${item.deliveryCount}, not ${input.delivery})`,
        );
      const kind = kindOf(item);
      if (!DECISIONS_BY_KIND[kind].includes(result.decision))
        return refuse(
          "decision_not_allowed",
          `${result.decision} does not apply to ${kind} items (allowed: ${DECISIONS_BY_KIND[kind].join(", ")})`,
        );
      const [ticket] =
        item.ticketId === null
          ? []
          : await tx.select().from(tickets).where(eq(tickets.id, item.ticketId)).for("update");
      const applied = await applyEffect(tx, deps, item, ticket, result);
      if (!applied.ok) return applied;
      const stored: StoredResult = {
        ...result,
        applied: applied.applied,
        actedAt: deps.clock.now().toISOString(),
      };
      const [acted] = await tx
        .update(inboxItems)
        .set({
          state: "acted",
          result: stored,
          actedAt: deps.clock.now(),
          leaseExpiresAt: null,
          updatedAt: deps.clock.now(),
        })
        .where(eq(inboxItems.id, item.id))
        .returning();
      if (!acted) throw new Error("inbox act returned no row");
      return { ok: true, replayed: false, item: acted, result: stored };
    }),
  );
}

type Applied =
  | { readonly ok: true; readonly applied: StoredResult["applied"] }
  | ActRefused
  | NotFound
  | Exclude<TransitionResult, { ok: true }>;

async function applyEffect(
  tx: Transaction,
  deps: LifecycleDeps,
  item: InboxItemRow,
  ticket: TicketRow | undefined,
  result: InboxResult,
): Promise<Applied> {
  const now = deps.clock.now();
  const detail = { inboxItem: item.id, decision: result.decision, note: result.note };
  // The only item that can grant a ticket attempts: closing it while the ticket is still held for
  // max_attempts would strand the ticket (held, nothing open to grant from). It is stale once the
  // ticket is no longer held for that (cancelled, or released by another decision).
  if (
    item.kind === "max_attempts_reached" &&
    (result.decision === "dismiss" || result.decision === "hold") &&
    ticket &&
    heldForMaxAttempts({ state: ticket.state, held: ticket.hold !== null, hold: ticket.hold })
  )
    return refuse(
      "decision_not_allowed",
      `${ticket.key} is still held for max_attempts: ${result.decision} would leave it held with no item to grant it attempts from; decide grant_attempts or cancel (or leave the item open)`,
    );
  if (result.decision === "grant_attempts") {
    if (!ticket) return { ok: false, code: "not_found", message: `inbox item ${item.id} names no ticket` };
    const granted = await grantAttempts(tx, now, ticket, {
      count: result.attempts ?? 0,
      maxAttempts: maxAttemptsOfHold(item, ticket),
      actor: result.actor,
      detail,
    });
    if (!granted.ok) return refuse(granted.code, granted.message);
    return {
      ok: true,
      applied: {
        ticketVersion: granted.ticket.version,
        eventId: granted.grantEvent.id,
        grant: { ...granted.grant, holdReleasedEventId: granted.releaseEvent.id },
      },
    };
  }
  if (result.transition) {
    if (!ticket) return { ok: false, code: "not_found", message: `inbox item ${item.id} names no ticket` };
    // A verified completion may only be accepted while its proof stands: the attempt is still the
    // ticket's current one and its latest verdict still passes (evidence can fail after the fact).
    if (item.kind === "completion_verified" && result.transition.from === "verifying") {
      const verdict = item.attemptId ? await latestVerdictStatus(tx, item.attemptId) : null;
      if (ticket.currentAttemptId !== item.attemptId || verdict !== "pass")
        return refuse(
          "stale_item",
          `the verified completion of ${ticket.key} no longer stands (attempt ${ticket.currentAttemptId === item.attemptId ? "current" : "replaced"}, latest verdict ${verdict ?? "none"}); dismiss it or decide again`,
        );
    }
    const moved = await guardedTransition(tx, deps, {
      ticket: ticket.key,
      from: result.transition.from,
      expectedVersion: ticket.version,
      to: result.transition.to,
      reason: result.transition.reason,
      actor: result.actor,
      ...(item.attemptId ? { attemptId: item.attemptId } : {}),
      detail,
    });
    if (!moved.ok) return moved;
    return { ok: true, applied: { ticketVersion: moved.ticket.version, eventId: moved.event.id } };
  }
  if (result.hold) {
    if (!ticket) return { ok: false, code: "not_found", message: `inbox item ${item.id} names no ticket` };
    const changed =
      result.hold === "set"
        ? await setHold(tx, now, ticket, `inbox:${item.kind}`, result.actor, detail)
        : await releaseHold(tx, now, ticket, result.actor, detail);
    if (!changed.ok) return refuse("hold_not_applicable", `cannot ${result.hold} a hold: ${changed.message}`);
    return { ok: true, applied: { ticketVersion: changed.ticket.version, eventId: changed.event.id } };
  }
  return { ok: true, applied: null };
}

/** What the dispatcher records with a `max_attempts_reached` item (src/lifecycle/hold.ts). */
const MaxAttemptsPayload = z.object({
  attempts: z.number().int().nonnegative(),
  maxAttempts: z.number().int().nonnegative().optional(),
});

/**
 * The `dispatch.max_attempts` a ticket was held with: recorded in the item by the dispatcher. An item
 * filed without it (before grants existed, or a hold set by hand) counts the attempts used at the
 * hold as the budget then: the ticket was held when it had used them all.
 */
function maxAttemptsOfHold(item: InboxItemRow, ticket: TicketRow): number {
  const payload = MaxAttemptsPayload.safeParse(item.payload);
  if (payload.success && payload.data.maxAttempts !== undefined) return payload.data.maxAttempts;
  const heldAt = payload.success ? payload.data.attempts : ticket.attemptCount;
  return Math.max(0, heldAt - ticket.extraAttempts);
}

function refuse(code: ActRefused["code"], message: string): ActRefused {
  return { ok: false, code, message };
}

function kindOf(item: InboxItemRow): InboxKind {
  const kind = INBOX_KINDS.find((k) => k === item.kind);
  if (!kind) throw new Error(`inbox item ${item.id} has an unknown kind ${item.kind}`);
  return kind;
}

/** The stored result of an acted item, checked on the way out as it was on the way in. */
export function storedResultOf(item: InboxItemRow): StoredResult {
  return StoredResultSchema.parse(item.result);
}
