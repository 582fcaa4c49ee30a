import { and, eq, isNull } from "drizzle-orm";
import type { Executor } from "../db/database.js";
import { retryTransaction } from "../db/retry.js";
import { type TicketRow, tickets } from "../db/schema.js";
import type { Actor } from "../domain/actors.js";
import type { Priority } from "../domain/priorities.js";
import type { FieldChangeReason } from "../domain/ticket-events.js";
import { casTicket, type TicketChange } from "./cas-ticket.js";
import { insertTicket } from "./create-ticket.js";
import type { LifecycleDeps } from "./deps.js";
import type { Applied, InvalidInput, NotFound, TransitionConflict } from "./results.js";
import { ActorSchema, type NewTicket, NewTicketSchema } from "./schemas.js";
import { validate } from "./validation.js";

/** Ticket changes the GitHub App makes besides transitions: assignee, priority, the linked issue. */

export type FieldChangeResult = Applied | TransitionConflict | NotFound;

/**
 * Sets a field of a ticket that keeps its state (compare-and-set on the version), with an event
 * `reason` (`assigned`, `priority_changed`) that carries the old and new value.
 */
async function changeField(
  deps: LifecycleDeps,
  input: {
    ticket: string;
    expectedVersion: number;
    actor: Actor;
    reason: FieldChangeReason;
    set: Pick<TicketChange, "assignee" | "priority">;
    detail: Record<string, unknown>;
  },
): Promise<FieldChangeResult> {
  return retryTransaction(() =>
    deps.db.transaction((tx) =>
      casTicket(tx, {
        key: input.ticket,
        expectedVersion: input.expectedVersion,
        set: input.set,
        event: { actor: input.actor, reason: input.reason, detail: input.detail },
        at: deps.clock.now(),
      }),
    ),
  );
}

/** `/mc claim` and `/mc release` of a person: the assignee (a person's ticket is skipped by agents). */
export function assignTicket(
  deps: LifecycleDeps,
  input: { ticket: TicketRow; assignee: string | null; actor: Actor },
): Promise<FieldChangeResult> {
  return changeField(deps, {
    ticket: input.ticket.key,
    expectedVersion: input.ticket.version,
    actor: input.actor,
    reason: "assigned",
    set: { assignee: input.assignee },
    detail: { from: input.ticket.assignee, to: input.assignee },
  });
}

/** `/mc priority <p>`. */
export function setTicketPriority(
  deps: LifecycleDeps,
  input: { ticket: TicketRow; priority: Priority; actor: Actor },
): Promise<FieldChangeResult> {
  return changeField(deps, {
    ticket: input.ticket.key,
    expectedVersion: input.ticket.version,
    actor: input.actor,
    reason: "priority_changed",
    set: { priority: input.priority },
    detail: { from: input.ticket.priority, to: input.priority },
  });
}

/**
 * Records the issue that mirrors a ticket. Bookkeeping, not a ticket change (no version, no event);
 * only the first link wins, so two mirror workers can never both own an issue.
 */
export async function linkIssue(
  deps: LifecycleDeps,
  input: { ticketId: number; issueNumber: number },
): Promise<
  | { readonly ok: true }
  | { readonly ok: false; readonly code: "already_linked"; readonly issueNumber: number | null }
> {
  const rows = await deps.db
    .update(tickets)
    .set({ issueNumber: input.issueNumber })
    .where(and(eq(tickets.id, input.ticketId), isNull(tickets.issueNumber)))
    .returning({ id: tickets.id });
  if (rows.length === 1) return { ok: true };
  const [current] = await deps.db
    .select({ issueNumber: tickets.issueNumber })
    .from(tickets)
    .where(eq(tickets.id, input.ticketId));
  return { ok: false, code: "already_linked", issueNumber: current?.issueNumber ?? null };
}

export async function findTicketByIssue(
  db: Executor,
  input: { repository: string; issueNumber: number },
): Promise<TicketRow | undefined> {
  const [row] = await db
    .select()
    .from(tickets)
    .where(and(eq(tickets.repository, input.repository), eq(tickets.issueNumber, input.issueNumber)));
  return row;
}

export async function findTicketById(db: Executor, id: number): Promise<TicketRow | undefined> {
  const [row] = await db.select().from(tickets).where(eq(tickets.id, id));
  return row;
}

export type IssueTicketResult =
  | Applied
  | InvalidInput
  | { readonly ok: false; readonly code: "already_a_ticket"; readonly message: string; readonly key: string };

/**
 * A person's issue becomes a ticket (issue-side creation): the ticket is created already linked to
 * the issue, in one transaction with its `created` event, so the mirror never opens a second issue.
 * Blockers are not taken from issues, so none are checked here.
 */
export async function createTicketForIssue(
  deps: LifecycleDeps,
  input: { ticket: NewTicket; issueNumber: number; actor: Actor },
): Promise<IssueTicketResult> {
  const valid = validate(NewTicketSchema, { ...input.ticket, blockedBy: [] }, "ticket");
  if (!valid.ok) return valid;
  const who = validate(ActorSchema, input.actor, "actor");
  if (!who.ok) return who;
  const ticket = valid.value;
  return retryTransaction(() =>
    deps.db.transaction(async (tx): Promise<IssueTicketResult> => {
      const existing = await findTicketByIssue(tx, {
        repository: ticket.repository,
        issueNumber: input.issueNumber,
      });
      if (existing)
        return {
          ok: false,
          code: "already_a_ticket",
          message: `issue #${input.issueNumber} is ${existing.key}`,
          key: existing.key,
        };
      const { row, event } = await insertTicket(tx, deps, ticket, who.value, {
        issueNumber: input.issueNumber,
      });
      return { ok: true, ticket: row, event };
    }),
  );
}
