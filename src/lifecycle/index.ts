/**
 * The lifecycle module: the only writer of tickets, attempts and ticket events.
 *
 * Terminology
 * - transition: a change of a ticket's state, allowed by the table in src/domain/ticket-states.ts.
 * - compare-and-set: an update that only applies if the ticket is still at the expected state and
 *   version; losing it is a `conflict` result, never an exception.
 * - event: the append-only record of a change, written in the same transaction as the change.
 */
import type { Actor } from "../domain/actors.js";
import { createTicket } from "./create-ticket.js";
import type { LifecycleDeps } from "./deps.js";
import { findTicket, listTickets, type TicketFilter, ticketHistory } from "./queries.js";
import type { NewTicket, TransitionInput } from "./schemas.js";
import { transitionTicket } from "./transition.js";

export type { Clock, LifecycleDeps } from "./deps.js";
export { systemClock } from "./deps.js";
export type * from "./results.js";
export type { NewTicket, TransitionInput } from "./schemas.js";
export type { TicketFilter } from "./queries.js";

export type Lifecycle = ReturnType<typeof createLifecycle>;

export function createLifecycle(deps: LifecycleDeps) {
  return {
    createTicket: (input: NewTicket, actor: Actor) => createTicket(deps, input, actor),
    transition: (input: TransitionInput) => transitionTicket(deps, input),
    findTicket: (key: string) => findTicket(deps.db, key),
    listTickets: (filter?: TicketFilter) => listTickets(deps.db, filter),
    ticketHistory: (ticketId: number) => ticketHistory(deps.db, ticketId),
  };
}
