import type { AttemptRow, TicketQuestionRow, TicketRow } from "../db/schema.js";
import type { WorkerLifecycle } from "./port.js";

/** What the runner knows about its attempt: the ticket, its earlier attempts and every question. */
export interface AttemptContext {
  readonly attempt: AttemptRow;
  readonly ticket: TicketRow;
  /** Attempts before this one, oldest first (why they ended goes into the brief). */
  readonly earlierAttempts: readonly AttemptRow[];
  readonly questions: readonly TicketQuestionRow[];
}

/** Reads an attempt's context (read-only; every write goes through the lifecycle). */
export async function readAttemptContext(
  lifecycle: Pick<WorkerLifecycle, "findTicketById" | "attemptsOf" | "questionsOf">,
  attempt: AttemptRow,
): Promise<AttemptContext | undefined> {
  const ticket = await ticketOfAttempt(lifecycle, attempt);
  if (!ticket) return undefined;
  const all = await lifecycle.attemptsOf(ticket.id);
  const questions = await lifecycle.questionsOf(ticket.id);
  return {
    attempt,
    ticket,
    earlierAttempts: all.filter((a) => a.number < attempt.number),
    questions,
  };
}

/** The ticket an attempt belongs to. */
export async function ticketOfAttempt(
  lifecycle: Pick<WorkerLifecycle, "findTicketById">,
  attempt: AttemptRow,
): Promise<TicketRow | undefined> {
  return lifecycle.findTicketById(attempt.ticketId);
}
