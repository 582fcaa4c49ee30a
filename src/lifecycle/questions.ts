import { and, desc, eq, isNull, sql } from "drizzle-orm";
import type { Actor } from "../domain/actors.js";
import type { Executor } from "../db/database.js";
import { retryTransaction } from "../db/retry.js";
import { type TicketQuestionRow, type TicketRow, ticketQuestions, tickets } from "../db/schema.js";
import type { LifecycleDeps } from "./deps.js";
import { casTicket } from "./cas-ticket.js";
import { scopeCondition, type TicketScope } from "./candidates.js";
import type { Applied, InvalidInput, NotFound, TransitionConflict } from "./results.js";

export interface NotWaiting {
  readonly ok: false;
  readonly code: "not_waiting";
  readonly message: string;
}

export type AnswerResult =
  | (Applied & { readonly question: TicketQuestionRow })
  | NotFound
  | NotWaiting
  | TransitionConflict
  | InvalidInput;

/**
 * Records a person's answer to the ticket's open question. The ticket stays in `needs_input`
 * (its version moves, with an `answered` event); the dispatcher's needs-input phase requeues it.
 * Compare-and-set on the version read here: a change first (another answer, a release) is a
 * `conflict` and records nothing.
 */
export async function answerQuestion(
  deps: LifecycleDeps,
  input: { ticket: string; answer: string; actor: Actor },
): Promise<AnswerResult> {
  const answer = input.answer.trim();
  if (!answer)
    return { ok: false, code: "invalid_input", message: "an answer cannot be empty", issues: ["answer"] };
  return retryTransaction(() =>
    deps.db.transaction(async (tx): Promise<AnswerResult> => {
      // No row lock: the compare-and-set below loses to a concurrent change (a second answer, a
      // release) instead, and the question is written only by the winner.
      const [ticket] = await tx.select().from(tickets).where(eq(tickets.key, input.ticket));
      if (!ticket) return { ok: false, code: "not_found", message: `no ticket ${input.ticket}` };
      const [open] = await tx
        .select()
        .from(ticketQuestions)
        .where(and(eq(ticketQuestions.ticketId, ticket.id), isNull(ticketQuestions.answer)))
        .orderBy(desc(ticketQuestions.id))
        .limit(1);
      if (ticket.state !== "needs_input" || !open) {
        return {
          ok: false,
          code: "not_waiting",
          message: `${ticket.key} is ${ticket.state} and has no open question`,
        };
      }
      const now = deps.clock.now();
      const moved = await casTicket(tx, {
        key: ticket.key,
        expectedVersion: ticket.version,
        from: "needs_input",
        event: {
          actor: input.actor,
          reason: "answered",
          attemptId: open.attemptId,
          detail: { questionId: open.id },
        },
        at: now,
      });
      if (!moved.ok) return moved;
      const [question] = await tx
        .update(ticketQuestions)
        .set({ answer, answeredBy: input.actor.id, answeredAt: now })
        .where(and(eq(ticketQuestions.id, open.id), isNull(ticketQuestions.answer)))
        .returning();
      // The version guard above makes this transaction the only answerer of this question.
      if (!question) throw new Error("answer update returned no row");
      const { ticket: row, event } = moved;
      return { ok: true, ticket: row, event, question };
    }),
  );
}

/** `needs_input` tickets whose latest question has an answer: the only ones the needs-input phase may requeue. */
export async function findAnsweredTickets(
  db: Executor,
  limit: number,
  scope?: TicketScope,
): Promise<TicketRow[]> {
  return db
    .select()
    .from(tickets)
    .where(
      and(
        eq(tickets.state, "needs_input"),
        // The latest question is answered: one backward step of ticket_questions_ticket_idx per
        // needs_input ticket, in updated_at order (tickets_state_idx), never a scan of all questions.
        sql`coalesce((select q.answer is not null from ${ticketQuestions} q
                      where q.ticket_id = ${tickets.id} order by q.id desc limit 1), false)`,
        scopeCondition(scope),
      ),
    )
    .orderBy(tickets.updatedAt)
    .limit(limit);
}

/** Every question of a ticket with its answer, oldest first (for the agent's brief and the issue). */
export async function ticketQuestionsOf(db: Executor, ticketId: number): Promise<TicketQuestionRow[]> {
  return db
    .select()
    .from(ticketQuestions)
    .where(eq(ticketQuestions.ticketId, ticketId))
    .orderBy(ticketQuestions.id);
}
