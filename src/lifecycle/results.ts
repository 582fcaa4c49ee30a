import type { Actor } from "../domain/actors.js";
import type { TicketState, TransitionRefusal } from "../domain/ticket-states.js";
import type { TicketEventRow, TicketRow } from "../db/schema.js";

/** Who holds a ticket: the live attempt it is assigned to, if any. */
export interface Holder {
  readonly attemptId: string;
  readonly worker: string;
}

/** The change that moved a ticket last: who, why and when (its latest event). */
export interface LastChange {
  readonly actor: Actor;
  readonly reason: string;
  readonly at: Date;
}

/** The compare-and-set lost: someone changed the ticket first. Nothing was written. */
export interface TransitionConflict {
  readonly ok: false;
  readonly code: "conflict";
  readonly message: string;
  readonly current: {
    readonly state: TicketState;
    readonly version: number;
    readonly holder: Holder | null;
    /** Who changed the ticket last and when; it names the winner when there is no holder (a person's change). */
    readonly lastChange: LastChange | null;
  };
}

export interface NotFound {
  readonly ok: false;
  readonly code: "not_found";
  readonly message: string;
}

/** Input that failed validation; `issues` lists each problem as `path: message`. */
export interface InvalidInput {
  readonly ok: false;
  readonly code: "invalid_input";
  readonly message: string;
  readonly issues: readonly string[];
}

export interface Applied {
  readonly ok: true;
  readonly ticket: TicketRow;
  readonly event: TicketEventRow;
}

export type TransitionResult = Applied | TransitionRefusal | TransitionConflict | NotFound | InvalidInput;
export type CreateTicketResult = Applied | InvalidInput;
