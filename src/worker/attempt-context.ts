import { eq } from "drizzle-orm";
import type { AttemptRow, TicketQuestionRow, TicketRow } from "../db/schema.js";
import { tickets } from "../db/schema.js";
import type { Lifecycle } from "../lifecycle/index.js";

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
  lifecycle: Lifecycle,
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
  lifecycle: Lifecycle,
  attempt: AttemptRow,
): Promise<TicketRow | undefined> {
  const [ticket] = await lifecycle.deps.db.select().from(tickets).where(eq(tickets.id, attempt.ticketId));
  return ticket;
}
