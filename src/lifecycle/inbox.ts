import { and, asc, desc, eq, inArray, lte, or, sql } from "drizzle-orm";
import { type InboxAudience, type InboxKind, type InboxState, defaultAudience } from "../domain/inbox.js";
import type { Executor, Transaction } from "../db/database.js";
import { retryTransaction } from "../db/retry.js";
import { type InboxItemRow, evidenceVerdicts, inboxItems, tickets } from "../db/schema.js";
import { scopeCondition } from "./candidates.js";
import type { LifecycleDeps } from "./deps.js";

/**
 * The inbox: enqueue (idempotent by key), deliver (a lease, never "processed") and the reads.
 * Acting is in inbox-act.ts, handing over to a person in inbox-handover.ts.
 */

export interface NewInboxItem {
  readonly kind: InboxKind;
  readonly ticketId: number | null;
  readonly attemptId?: string | null;
  readonly payload: Record<string, unknown>;
  readonly idempotencyKey: string;
  readonly audience?: InboxAudience;
}

export interface Enqueued {
  readonly item: InboxItemRow;
  /** False when an item with this idempotency key already existed (it is returned unchanged). */
  readonly created: boolean;
}

/** Files an item inside the caller's transaction, so it exists exactly when the caller's change does. */
export async function enqueueInTx(tx: Transaction, now: Date, input: NewInboxItem): Promise<Enqueued> {
  const [inserted] = await tx
    .insert(inboxItems)
    .values({
      kind: input.kind,
      ticketId: input.ticketId,
      attemptId: input.attemptId ?? null,
      payload: input.payload,
      idempotencyKey: input.idempotencyKey,
      state: "pending",
      audience: input.audience ?? defaultAudience(input.kind),
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing({ target: inboxItems.idempotencyKey })
    .returning();
  if (inserted) return { item: inserted, created: true };
  const [existing] = await tx
    .select()
    .from(inboxItems)
    .where(eq(inboxItems.idempotencyKey, input.idempotencyKey));
  if (!existing) throw new Error(`inbox item ${input.idempotencyKey} neither inserted nor found`);
  return { item: existing, created: false };
}

export async function enqueueItem(deps: LifecycleDeps, input: NewInboxItem): Promise<Enqueued> {
  return retryTransaction(() => deps.db.transaction((tx) => enqueueInTx(tx, deps.clock.now(), input)));
}

/**
 * Hands out up to `limit` items of `audience` that are pending, or delivered with an expired lease,
 * oldest first, each with a new lease and `delivery_count + 1` (the token `act` may present).
 * Concurrent deliverers skip each other's rows. Nothing is marked processed here.
 */
export async function deliverItems(
  deps: LifecycleDeps,
  input: {
    audience: InboxAudience;
    holder: string;
    leaseMs: number;
    limit: number;
    kinds?: readonly InboxKind[] | undefined;
  },
): Promise<InboxItemRow[]> {
  return retryTransaction(() =>
    deps.db.transaction(async (tx) => {
      const now = deps.clock.now();
      const due = or(
        eq(inboxItems.state, "pending"),
        and(eq(inboxItems.state, "delivered"), lte(inboxItems.leaseExpiresAt, now)),
      );
      const kinds = input.kinds?.length ? inArray(inboxItems.kind, [...input.kinds]) : undefined;
      const ids = await tx
        .select({ id: inboxItems.id })
        .from(inboxItems)
        .where(and(eq(inboxItems.audience, input.audience), due, kinds))
        .orderBy(asc(inboxItems.id))
        .limit(input.limit)
        .for("update", { skipLocked: true });
      if (!ids.length) return [];
      const rows = await tx
        .update(inboxItems)
        .set({
          state: "delivered",
          deliveredTo: input.holder,
          deliveredAt: now,
          leaseExpiresAt: new Date(now.getTime() + input.leaseMs),
          deliveryCount: sql`${inboxItems.deliveryCount} + 1`,
          updatedAt: now,
        })
        .where(
          inArray(
            inboxItems.id,
            ids.map((r) => r.id),
          ),
        )
        .returning();
      return rows.sort((a, b) => a.id - b.id);
    }),
  );
}

// Reads

/** An item with its subject ticket's key (for lists and replies). */
export interface InboxItemView extends InboxItemRow {
  readonly ticketKey: string | null;
}

const viewColumns = { item: inboxItems, ticketKey: tickets.key };

export async function findItem(db: Executor, id: number): Promise<InboxItemView | undefined> {
  const [row] = await db
    .select(viewColumns)
    .from(inboxItems)
    .leftJoin(tickets, eq(tickets.id, inboxItems.ticketId))
    .where(eq(inboxItems.id, id));
  return row ? { ...row.item, ticketKey: row.ticketKey } : undefined;
}

export async function listItems(
  db: Executor,
  filter: {
    states?: readonly InboxState[];
    kind?: InboxKind | undefined;
    /** Only items about tickets of these repositories; null or absent: every item. */
    repositories?: readonly string[] | null | undefined;
    limit: number;
  },
): Promise<InboxItemView[]> {
  const rows = await db
    .select(viewColumns)
    .from(inboxItems)
    .leftJoin(tickets, eq(tickets.id, inboxItems.ticketId))
    .where(
      and(
        filter.states?.length ? inArray(inboxItems.state, [...filter.states]) : undefined,
        filter.kind ? eq(inboxItems.kind, filter.kind) : undefined,
        scopeCondition({ owner: null, repositories: filter.repositories ?? null }),
      ),
    )
    .orderBy(asc(inboxItems.id))
    .limit(filter.limit);
  return rows.map((r) => ({ ...r.item, ticketKey: r.ticketKey }));
}

export async function itemsOfTicket(db: Executor, ticketId: number): Promise<InboxItemRow[]> {
  return db.select().from(inboxItems).where(eq(inboxItems.ticketId, ticketId)).orderBy(asc(inboxItems.id));
}

/** What a decision about an item depends on, read now (the item itself may be stale). */
export interface ItemTicketFacts {
  readonly ticket: {
    readonly key: string;
    readonly state: (typeof tickets.$inferSelect)["state"];
    readonly version: number;
    readonly held: boolean;
    /** Why it is held (`max_attempts_reached`, `inbox:…`), null while it is not. */
    readonly hold: string | null;
    readonly currentAttemptId: string | null;
  } | null;
  /** Status of the latest verdict of the item's attempt, if it names one. */
  readonly latestVerdict: "pass" | "fail" | "pending" | null;
}

export async function factsOf(db: Executor, item: InboxItemRow): Promise<ItemTicketFacts> {
  const [ticket] =
    item.ticketId === null ? [] : await db.select().from(tickets).where(eq(tickets.id, item.ticketId));
  return {
    ticket: ticket
      ? {
          key: ticket.key,
          state: ticket.state,
          version: ticket.version,
          held: ticket.hold !== null,
          hold: ticket.hold,
          currentAttemptId: ticket.currentAttemptId,
        }
      : null,
    latestVerdict: item.attemptId ? await latestVerdictStatus(db, item.attemptId) : null,
  };
}

export async function latestVerdictStatus(
  db: Executor,
  attemptId: string,
): Promise<"pass" | "fail" | "pending" | null> {
  const [row] = await db
    .select({ status: evidenceVerdicts.status })
    .from(evidenceVerdicts)
    .where(eq(evidenceVerdicts.attemptId, attemptId))
    .orderBy(desc(evidenceVerdicts.id))
    .limit(1);
  const status = row?.status;
  return status === "pass" || status === "fail" || status === "pending" ? status : null;
}
