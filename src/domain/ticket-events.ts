import { TRANSITION_REASONS } from "./ticket-states.js";

/**
 * Reason codes of ticket events that change no state: the ticket's birth and the field changes made
 * by compare-and-set on its version (an answer, a hold, a grant, an assignee, a priority, an attempt bound to its
 * GitHub Actions run at `start`).
 */
export const FIELD_CHANGE_REASONS = [
  "created",
  "answered",
  "held",
  "hold_released",
  "attempts_granted",
  "assigned",
  "priority_changed",
  "attempt_started",
] as const;
export type FieldChangeReason = (typeof FIELD_CHANGE_REASONS)[number];

/**
 * Every reason a ticket event is written with: the transition table's reasons
 * (src/domain/ticket-states.ts) plus the field changes above. The stored `ticket_events.reason` is
 * one of these; readers of the history (the mirror, the board) can switch on it exhaustively.
 */
export const TICKET_EVENT_REASONS = [...TRANSITION_REASONS, ...FIELD_CHANGE_REASONS] as const;
export type TicketEventReason = (typeof TICKET_EVENT_REASONS)[number];
