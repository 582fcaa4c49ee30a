import { and, eq, gt, type SQL, sql } from "drizzle-orm";
import type { Executor } from "../db/database.js";
import { type LeaseRow, leases } from "../db/schema.js";
import type { Clock } from "./deps.js";
import { type Fence, type Fenced, fenced } from "./fence.js";

/** A lease this holder now has, with the fencing token every write under it must present. */
export interface HeldLease {
  readonly ok: true;
  readonly name: string;
  readonly holder: string;
  readonly fencingToken: number;
  readonly expiresAt: Date;
  /** True when an expired lease of another holder was taken over. */
  readonly tookOver: boolean;
}

/** Someone else holds the lease until `until`. */
export interface LockHeld {
  readonly ok: false;
  readonly code: "lock_held";
  readonly message: string;
  readonly holder: string;
  readonly until: Date;
  /** The term the holder is in (its fencing token). */
  readonly fencingToken: number;
}

/**
 * Takes the named lease if it is free, expired, or already ours. A takeover (or a new term of our
 * own) increments the fencing token, so anything still running under the old token is refused.
 */
export async function acquireLease(
  db: Executor,
  clock: Clock,
  input: { name: string; holder: string; ttlMs: number },
): Promise<HeldLease | LockHeld> {
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + input.ttlMs);
  const [previous] = await db.select().from(leases).where(eq(leases.name, input.name));
  // Held by another holder and not expired: say so from the read. The upsert below would refuse
  // too, but only after locking the row (ON CONFLICT DO UPDATE locks it even when its WHERE fails),
  // which queues the holder's own fenced writes (FOR SHARE) behind every waiting dispatcher's try.
  if (previous && previous.holder !== input.holder && previous.expiresAt > now)
    return lockHeld(input.name, previous);
  const [row] = await db
    .insert(leases)
    .values({
      name: input.name,
      holder: input.holder,
      fencingToken: 1,
      expiresAt,
      acquiredAt: now,
      updatedAt: now,
    })
    .onConflictDoUpdate({
      target: leases.name,
      set: {
        holder: input.holder,
        fencingToken: sql`${leases.fencingToken} + 1`,
        expiresAt,
        acquiredAt: now,
        updatedAt: now,
      },
      // The conflict target row is only replaced when it is free to take.
      setWhere: sql`${leases.expiresAt} <= ${now.toISOString()}::timestamptz or ${leases.holder} = ${input.holder}`,
    })
    .returning();
  if (row) {
    const tookOver = previous !== undefined && previous.holder !== input.holder;
    return {
      ok: true,
      name: row.name,
      holder: row.holder,
      fencingToken: row.fencingToken,
      expiresAt,
      tookOver,
    };
  }
  const [current] = await db.select().from(leases).where(eq(leases.name, input.name));
  return lockHeld(input.name, {
    holder: current?.holder ?? "unknown",
    expiresAt: current?.expiresAt ?? now,
    fencingToken: current?.fencingToken ?? 0,
  });
}

function lockHeld(
  name: string,
  current: { holder: string; expiresAt: Date; fencingToken: number },
): LockHeld {
  return {
    ok: false,
    code: "lock_held",
    message: `${name} lease is held by ${current.holder} until ${current.expiresAt.toISOString()}`,
    holder: current.holder,
    until: current.expiresAt,
    fencingToken: current.fencingToken,
  };
}

/** Extends a lease we still hold under `fencingToken`; false if it was lost (expired and taken, or released). */
export async function renewLease(
  db: Executor,
  clock: Clock,
  input: { name: string; holder: string; fencingToken: number; ttlMs: number },
): Promise<boolean> {
  const now = clock.now();
  const rows = await db
    .update(leases)
    .set({ expiresAt: new Date(now.getTime() + input.ttlMs), updatedAt: now })
    .where(and(...heldBy(input), gt(leases.expiresAt, now)))
    .returning({ name: leases.name });
  return rows.length === 1;
}

/** Ends our term early so the next holder need not wait for the expiry. */
export async function releaseLease(
  db: Executor,
  clock: Clock,
  input: { name: string; holder: string; fencingToken: number },
): Promise<void> {
  const now = clock.now();
  await db
    .update(leases)
    .set({ expiresAt: now, updatedAt: now })
    .where(and(...heldBy(input)));
}

/**
 * Inside a transaction: true if the lease is still ours at this token and unexpired. Locks the
 * lease row (FOR SHARE) so that a takeover cannot commit between this check and the caller's writes.
 */
export async function holdsLease(
  tx: Executor,
  clock: Clock,
  input: { name: string; holder: string; fencingToken: number },
): Promise<boolean> {
  const rows = await tx
    .select({ name: leases.name })
    .from(leases)
    .where(and(...heldBy(input), gt(leases.expiresAt, clock.now())))
    .for("share");
  return rows.length === 1;
}

/**
 * Inside a transaction: null if `fence` (when given) is still held, else the `fenced` refusal to
 * return. Every write made on behalf of a lease holder starts with this.
 */
export async function checkFence(tx: Executor, clock: Clock, fence: Fence | null): Promise<Fenced | null> {
  if (!fence || (await holdsLease(tx, clock, fence))) return null;
  return fenceLost(fence);
}

/** The refusal of a write whose fence was no longer held. */
export function fenceLost(fence: Fence): Fenced {
  return fenced(`the ${fence.name} lease (token ${fence.fencingToken}) is no longer held`);
}

/**
 * For a write made as one statement (data-modifying CTEs): the body of its `fence` CTE, one row
 * while `fence` (when given) is still held at its token and unexpired, the lease row locked FOR
 * SHARE as in holdsLease; no row once it is lost. The statement's writes require that row.
 */
export function fenceRow(fence: Fence | null, now: Date): SQL {
  if (!fence) return sql`select 1 as ok`;
  return sql`select 1 as ok from ${leases}
    where ${and(...heldBy(fence), gt(leases.expiresAt, now))}
    for share`;
}

export async function readLease(db: Executor, name: string): Promise<LeaseRow | undefined> {
  const [row] = await db.select().from(leases).where(eq(leases.name, name));
  return row;
}

function heldBy(input: { name: string; holder: string; fencingToken: number }) {
  return [
    eq(leases.name, input.name),
    eq(leases.holder, input.holder),
    eq(leases.fencingToken, input.fencingToken),
  ] as const;
}
