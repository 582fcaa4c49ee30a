import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Actor } from "../domain/actors.js";
import { decideTransition } from "../domain/ticket-states.js";
import { queryRows } from "../db/database.js";
import { rowFromJson } from "../db/sql-rows.js";
import { type AttemptRow, attempts, type TicketRow, tickets } from "../db/schema.js";
import { explainMiss } from "./cas-ticket.js";
import type { LifecycleDeps } from "./deps.js";
import { eventCtes } from "./events.js";
import type { Fence, Fenced } from "./fence.js";
import { fenceLost, fenceRow } from "./leases.js";
import type { Applied, TransitionResult } from "./results.js";

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
 * Claims a `todo` ticket in ONE statement (one round trip, atomic without BEGIN/COMMIT): the
 * fencing check (the dispatcher's lease row, locked FOR SHARE so a takeover waits for it), the
 * compare-and-set `todo → in_progress`, the new attempt (`launching`, with its launch key and
 * lease), the `claimed` event and its mirror job, as data-modifying CTEs. Only a refused claim
 * costs another read (to say who holds the ticket).
 */
export async function claimTicket(deps: LifecycleDeps, input: ClaimInput): Promise<ClaimResult> {
  const table = decideTransition({
    from: "todo",
    to: "in_progress",
    reason: "claimed",
    actor: input.actor.kind,
  });
  if (!table.ok) return table;
  const attemptId = randomUUID();
  const now = deps.clock.now();
  const leaseExpiresAt = new Date(now.getTime() + input.leaseMs);
  const fence = input.fence;
  const detail = JSON.stringify({ worker: input.worker });
  const [row] = await queryRows<{ fence_ok: boolean; ticket: unknown; attempt: unknown; event_id: unknown }>(
    deps.db,
    sql`with fence as (${fenceRow(fence, now)}),
      moved as (
        update ${tickets}
        set state = 'in_progress', version = version + 1, current_attempt_id = ${attemptId}::uuid,
            attempt_count = attempt_count + 1, updated_at = ${now}
        where key = ${input.ticket} and version = ${input.expectedVersion}::integer and state = 'todo'
          and exists (select 1 from fence)
        returning *),
      ${eventCtes(
        sql`select id, 'todo'::ticket_state, 'in_progress'::ticket_state, ${input.actor.kind}::actor_kind,
                   ${input.actor.id}, 'claimed', version, ${attemptId}::uuid, ${detail}::jsonb, ${now}::timestamptz
            from moved`,
        now,
      )},
      attempt as (
        insert into ${attempts} (id, ticket_id, number, worker, status, launch_key, lease_expires_at, created_at, updated_at)
        select ${attemptId}::uuid, id, attempt_count, ${input.worker}, 'launching', key || '/' || attempt_count,
               ${leaseExpiresAt}::timestamptz, ${now}::timestamptz, ${now}::timestamptz
        from moved
        returning *)
      select exists (select 1 from fence) as fence_ok,
             (select row_to_json(m) from moved m) as ticket,
             (select row_to_json(a) from attempt a) as attempt,
             (select id from event) as event_id`,
  );
  if (fence && !row?.fence_ok) return fenceLost(fence);
  if (!row?.ticket || !row.attempt)
    return explainMiss(deps.db, {
      ticket: input.ticket,
      from: "todo",
      expectedVersion: input.expectedVersion,
    });
  const ticket = rowFromJson<TicketRow>(tickets, row.ticket);
  const attempt = rowFromJson<AttemptRow>(attempts, row.attempt);
  return {
    ok: true,
    ticket,
    attempt,
    event: {
      id: Number(row.event_id),
      ticketId: ticket.id,
      fromState: "todo",
      toState: "in_progress",
      actorKind: input.actor.kind,
      actorId: input.actor.id,
      reason: "claimed",
      version: ticket.version,
      attemptId,
      detail: { worker: input.worker },
      createdAt: now,
    },
  };
}
